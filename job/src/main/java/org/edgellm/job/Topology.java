package org.edgellm.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.ModelSpec;
import org.edgellm.scheduler.Objective;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment described in YAML: the model architecture, the objective, the coordination domains
 * with their edge nodes (capabilities and resident variants with their perplexity increase), and
 * the service classes. See {@code topology-default.yaml} for the format.
 */
public final class Topology implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int layers;
    public final int hidden;
    public final int vocab;
    public final Objective objective;
    public final ComputeModel computeModel;
    public final double bitsPerToken;

    /** domain id -> nodes (in file order). */
    public final Map<String, List<NodeSpec>> domains;

    public final Map<String, ServiceClass> serviceClasses;
    public final String defaultServiceClass;

    private Topology(
            int layers,
            int hidden,
            int vocab,
            Objective objective,
            ComputeModel computeModel,
            double bitsPerToken,
            Map<String, List<NodeSpec>> domains,
            Map<String, ServiceClass> serviceClasses,
            String defaultServiceClass) {
        this.layers = layers;
        this.hidden = hidden;
        this.vocab = vocab;
        this.objective = objective;
        this.computeModel = computeModel;
        this.bitsPerToken = bitsPerToken;
        this.domains = domains;
        this.serviceClasses = serviceClasses;
        this.defaultServiceClass = defaultServiceClass;
    }

    public ModelSpec model() {
        return new ModelSpec(layers, hidden, vocab);
    }

    public ServiceClass serviceClass(String name) {
        return serviceClasses.get(name == null ? defaultServiceClass : name);
    }

    public NodeSpec node(String domain, String nodeId) {
        List<NodeSpec> ns = domains.get(domain);
        if (ns == null) {
            return null;
        }
        for (NodeSpec n : ns) {
            if (n.id.equals(nodeId)) {
                return n;
            }
        }
        return null;
    }

    /** The bundled default: one domain with three nodes (A100-40GB, A10, L4). */
    public static Topology defaults() {
        try (InputStream in = Topology.class.getResourceAsStream("/topology-default.yaml")) {
            return parse(
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                    "topology-default.yaml");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Topology load(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /**
     * The largest topology document read, in code points: 256 Mi (SnakeYAML's default of 3 Mi
     * refuses a topology of about 5,000 domains of two nodes). A node takes some 330 code points in
     * the flow style of the generated topologies, so this admits some 800,000 nodes; the parsed
     * document is held in memory once, so the limit only guards against a runaway file.
     */
    public static final int MAX_YAML_CODE_POINTS = 256 * 1024 * 1024;

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(MAX_YAML_CODE_POINTS);
        return o;
    }

    /**
     * Parses YAML; a bad field raises IllegalArgumentException naming the file, field and value.
     */
    @SuppressWarnings("unchecked")
    public static Topology parse(String yaml, String source) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(loaderOptions())).load(yaml);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    source + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException(source + ": must be a YAML mapping");
        }
        Map<String, Object> m = (Map<String, Object>) root;
        Map<String, Object> model = map(m, "model", source);
        int layers = (int) positive(model, "layers", source + ": model");
        int hidden = (int) positive(model, "hidden", source + ": model");
        int vocab = (int) positive(model, "vocab", source + ": model");
        Objective objective =
                Objective.fromWire(String.valueOf(m.getOrDefault("objective", "requests")));
        if (objective == null) {
            throw new IllegalArgumentException(
                    source
                            + ": objective: must be requests or tokens (got "
                            + m.get("objective")
                            + ")");
        }
        ComputeModel cm =
                ComputeModel.fromWire(String.valueOf(m.getOrDefault("computeModel", "roofline")));
        if (cm == null) {
            throw new IllegalArgumentException(
                    source
                            + ": computeModel: must be roofline or flops (got "
                            + m.get("computeModel")
                            + ")");
        }
        double beta = m.containsKey("bitsPerToken") ? positive(m, "bitsPerToken", source) : 32;
        Map<String, ServiceClass> classes = new LinkedHashMap<>();
        for (Object o : list(m, "serviceClasses", source)) {
            Map<String, Object> c = (Map<String, Object>) o;
            String where = source + ": serviceClasses[" + classes.size() + "]";
            String name = text(c, "name", where);
            classes.put(
                    name,
                    new ServiceClass(
                            name,
                            positive(c, "latencyBudgetMs", where),
                            nonNegative(c, "maxPplIncrease", where),
                            c.containsKey("weight") ? positive(c, "weight", where) : 1.0,
                            c.containsKey("share") ? nonNegative(c, "share", where) : 1.0));
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException(source + ": serviceClasses: at least one is needed");
        }
        String dflt =
                String.valueOf(
                        m.getOrDefault("defaultServiceClass", classes.keySet().iterator().next()));
        if (!classes.containsKey(dflt)) {
            throw new IllegalArgumentException(
                    source + ": defaultServiceClass: unknown class (got " + dflt + ")");
        }
        Map<String, List<NodeSpec>> domains = new LinkedHashMap<>();
        for (Object o : list(m, "domains", source)) {
            Map<String, Object> d = (Map<String, Object>) o;
            String where = source + ": domains[" + domains.size() + "]";
            String id = text(d, "id", where);
            List<NodeSpec> nodes = new ArrayList<>();
            for (Object no : list(d, "nodes", where)) {
                nodes.add(node((Map<String, Object>) no, where + ".nodes[" + nodes.size() + "]"));
            }
            if (domains.put(id, nodes) != null) {
                throw new IllegalArgumentException(
                        where + ".id: duplicate domain (got " + id + ")");
            }
        }
        if (domains.isEmpty()) {
            throw new IllegalArgumentException(source + ": domains: at least one is needed");
        }
        return new Topology(layers, hidden, vocab, objective, cm, beta, domains, classes, dflt);
    }

    @SuppressWarnings("unchecked")
    static NodeSpec node(Map<String, Object> n, String where) {
        NodeSpec s = new NodeSpec();
        s.id = text(n, "id", where);
        s.memoryBytes = positive(n, "memoryBytes", where);
        s.reserveBytes = n.containsKey("reserveBytes") ? nonNegative(n, "reserveBytes", where) : 0;
        s.memoryBandwidth = positive(n, "memoryBandwidth", where);
        Map<String, Object> peak = map(n, "peakFlops", where);
        s.peakFlops16 = positive(peak, "16", where + ".peakFlops");
        s.peakFlops8 =
                peak.containsKey("8") ? positive(peak, "8", where + ".peakFlops") : s.peakFlops16;
        s.peakFlops4 =
                peak.containsKey("4") ? positive(peak, "4", where + ".peakFlops") : s.peakFlops8;
        s.efficiency = positive(n, "efficiency", where);
        if (s.efficiency > 1) {
            throw new IllegalArgumentException(
                    where + ".efficiency: must lie in (0, 1] (got " + s.efficiency + ")");
        }
        s.uplinkHz = positive(n, "uplinkHz", where);
        s.downlinkHz = positive(n, "downlinkHz", where);
        List<NodeSpec.VariantSpec> vs = new ArrayList<>();
        for (Object vo : list(n, "variants", where)) {
            Map<String, Object> v = (Map<String, Object>) vo;
            String vw = where + ".variants[" + vs.size() + "]";
            int ab = (int) positive(v, "activationBits", vw);
            if (ab != 4 && ab != 8 && ab != 16) {
                throw new IllegalArgumentException(
                        vw + ".activationBits: must be 4, 8 or 16 (got " + ab + ")");
            }
            vs.add(
                    new NodeSpec.VariantSpec(
                            text(v, "name", vw),
                            (int) positive(v, "weightBits", vw),
                            ab,
                            (int) positive(v, "kvBits", vw),
                            nonNegative(v, "pplIncrease", vw)));
        }
        if (vs.isEmpty()) {
            throw new IllegalArgumentException(
                    where + ".variants: at least one resident variant is needed");
        }
        s.variants = vs.toArray(new NodeSpec.VariantSpec[0]);
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException(
                    where + "." + key + ": must be a mapping (got " + v + ")");
        }
        return (Map<String, Object>) v;
    }

    private static List<?> list(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (!(v instanceof List)) {
            throw new IllegalArgumentException(
                    where + "." + key + ": must be a list (got " + v + ")");
        }
        for (Object o : (List<?>) v) {
            if (!(o instanceof Map)) {
                throw new IllegalArgumentException(
                        where + "." + key + ": entries must be mappings (got " + o + ")");
            }
        }
        return (List<?>) v;
    }

    private static String text(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isEmpty()) {
            throw new IllegalArgumentException(where + "." + key + ": required (got " + v + ")");
        }
        return String.valueOf(v);
    }

    private static double number(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(
                    where + "." + key + ": must be a number (got " + v + ")");
        }
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(
                    where + "." + key + ": must be finite (got " + v + ")");
        }
        return d;
    }

    private static double positive(Map<String, Object> m, String key, String where) {
        double d = number(m, key, where);
        if (!(d > 0)) {
            throw new IllegalArgumentException(
                    where + "." + key + ": must be positive (got " + m.get(key) + ")");
        }
        return d;
    }

    private static double nonNegative(Map<String, Object> m, String key, String where) {
        double d = number(m, key, where);
        if (d < 0) {
            throw new IllegalArgumentException(
                    where + "." + key + ": must not be negative (got " + m.get(key) + ")");
        }
        return d;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
