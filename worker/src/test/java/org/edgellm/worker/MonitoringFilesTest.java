package org.edgellm.worker;

import static org.edgellm.worker.DeployFilesTest.FLINK;
import static org.edgellm.worker.DeployFilesTest.ROOT;
import static org.edgellm.worker.DeployFilesTest.yaml;
import static org.edgellm.worker.DeployFilesTest.yamlAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files agree with each other and with the code: the dashboard of the Kubernetes
 * ConfigMap is deploy/grafana's, Prometheus scrapes the ports the Flink reporter and the workers
 * are given, the images are pinned, the files the compose file mounts exist.
 */
class MonitoringFilesTest {

    static final String REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    static final Path DASHBOARD = ROOT.resolve("deploy/grafana/edgellm-dashboard.json");

    /** The value of --metrics-port in a command (fails when there is none). */
    static String metricsPort(String command) {
        Matcher m = Pattern.compile("--metrics-port[\\s,=]+\"?(\\d+)").matcher(command);
        assertTrue(m.find(), "no --metrics-port in " + command);
        return m.group(1);
    }

    @Test
    void dashboardIsStandardGrafanaJson() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertEquals(39, d.get("schemaVersion").asInt());
        assertEquals("edgellm-scheduler", d.get("uid").asText());
        assertEquals("datasource", d.at("/templating/list/0/type").asText());
        List<JsonNode> panels = new ArrayList<>();
        d.get("panels").forEach(panels::add);
        for (JsonNode p : panels) {
            if (p.get("type").asText().equals("row")) {
                continue;
            }
            assertEquals("${datasource}", p.at("/datasource/uid").asText(), p.toString());
            for (JsonNode t : p.get("targets")) {
                assertEquals("${datasource}", t.at("/datasource/uid").asText(), t.toString());
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeScrapesWhatItRuns() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        Map<String, Object> services =
                (Map<String, Object>)
                        ((Map<String, Object>) yaml(ROOT.resolve("docker-compose.yml")))
                                .get("services");
        for (String s : List.of("jobmanager", "taskmanager")) {
            String props =
                    (String)
                            ((Map<String, Object>)
                                            ((Map<String, Object>) services.get(s))
                                                    .get("environment"))
                                    .get("FLINK_PROPERTIES");
            assertTrue(props.contains("metrics.reporter.prom.factory.class: " + REPORTER), s);
            assertTrue(props.contains("metrics.reporter.prom.port: 9249"), s);
        }
        for (String s : List.of("prometheus", "grafana")) {
            String image = (String) ((Map<String, Object>) services.get(s)).get("image");
            assertTrue(image.matches("[a-z/]+:v?\\d+\\.\\d+\\.\\d+"), "pinned image: " + image);
        }
        Map<String, Object> prom =
                (Map<String, Object>) yaml(ROOT.resolve("deploy/prometheus/compose.yml"));
        String scrape = prom.get("scrape_configs").toString();
        assertTrue(scrape.contains("jobmanager:9249") && scrape.contains("names=[taskmanager]"));
        int workers = 0;
        for (Map.Entry<String, Object> e : services.entrySet()) {
            String c = String.valueOf(((Map<String, Object>) e.getValue()).get("command"));
            if (c.contains(" worker ")) {
                assertTrue(
                        scrape.contains(e.getKey() + ":" + metricsPort(c)),
                        e.getKey() + " is scraped on its --metrics-port: " + scrape);
                assertTrue(c.contains("--metrics-host 0.0.0.0"), e.getKey());
                workers++;
            }
        }
        assertEquals(3, workers);
        // every file the compose file mounts from this checkout (the jars aside) exists
        Matcher m = Pattern.compile("- \\./([^:]+):").matcher(compose);
        while (m.find()) {
            if (!m.group(1).endsWith(".jar")) {
                assertTrue(Files.exists(ROOT.resolve(m.group(1))), "mounted " + m.group(1));
            }
        }
        Map<String, Object> ds =
                (Map<String, Object>)
                        yaml(
                                ROOT.resolve(
                                        "deploy/grafana/provisioning/datasources/prometheus.yml"));
        assertTrue(ds.get("datasources").toString().contains("url=http://prometheus:9090"));
        assertTrue(
                compose.contains(
                        "./deploy/grafana/edgellm-dashboard.json:/var/lib/grafana/dashboards/"));
        assertTrue(
                Files.readString(ROOT.resolve("deploy/grafana/provisioning/dashboards/edgellm.yml"))
                        .contains("path: /var/lib/grafana/dashboards"));
    }

    static final Path ALERTS = ROOT.resolve("deploy/prometheus/alerts.yml");

    /**
     * The alerting rules are well formed (a unique EdgeLlm name, an expression, a severity of
     * warning or critical, a summary, a duration Prometheus accepts) and every Prometheus
     * configuration loads them: the compose file's (mounted beside it), the local deployment's
     * (copied beside it) and the Kubernetes ConfigMap's (the file as is, in
     * kubernetesScrapesWhatItRuns). Their metrics are checked against the real exporters in
     * DashboardMetricsITCase.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyPrometheusLoadsTheAlertingRules() throws Exception {
        Map<String, Object> rules = (Map<String, Object>) yaml(ALERTS);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Map<String, Object> g : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> r : (List<Map<String, Object>>) g.get("rules")) {
                String name = (String) r.get("alert");
                assertTrue(name != null && name.matches("EdgeLlm[A-Za-z]+"), "alert " + name);
                assertTrue(names.add(name), "alert names are unique: " + name);
                assertTrue(!String.valueOf(r.get("expr")).isBlank(), name);
                String severity =
                        String.valueOf(((Map<String, Object>) r.get("labels")).get("severity"));
                assertTrue(List.of("warning", "critical").contains(severity), name);
                Map<String, Object> ann = (Map<String, Object>) r.get("annotations");
                assertTrue(!String.valueOf(ann.get("summary")).isBlank(), name);
                if (r.containsKey("for")) {
                    assertTrue(String.valueOf(r.get("for")).matches("\\d+[smh]"), name);
                }
            }
        }
        assertTrue(names.size() >= 8, "alerts: " + names);

        Map<String, Object> compose =
                (Map<String, Object>) yaml(ROOT.resolve("deploy/prometheus/compose.yml"));
        assertEquals(List.of("/etc/prometheus/alerts.yml"), compose.get("rule_files"));
        assertTrue(
                Files.readString(ROOT.resolve("docker-compose.yml"))
                        .contains(
                                "- ./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"));

        String start = Files.readString(ROOT.resolve("deploy/local/start.sh"));
        assertTrue(start.contains("cp \"$ROOT/deploy/prometheus/alerts.yml\" \"$dir/alerts.yml\""));
        assertTrue(start.contains("rule_files:\n  - alerts.yml\n"), "start.sh's prometheus.yml");
        // the Kubernetes ConfigMap's: kubernetesScrapesWhatItRuns
    }

    /** The data of every ConfigMap of deploy/k8s/monitoring.yaml (all its documents are ones). */
    @SuppressWarnings("unchecked")
    static Map<String, String> kubernetesConfigMaps() throws Exception {
        Map<String, String> configMaps = new java.util.TreeMap<>();
        for (Object o : yamlAll(ROOT.resolve("deploy/k8s/monitoring.yaml"))) {
            Map<String, Object> doc = (Map<String, Object>) o;
            assertEquals("ConfigMap", doc.get("kind"));
            ((Map<String, String>) doc.get("data")).forEach(configMaps::put);
        }
        return configMaps;
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesScrapesWhatItRuns() throws Exception {
        assertTrue(
                Files.readString(ROOT.resolve("deploy/k8s/Dockerfile"))
                        .contains(
                                "/opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-"
                                        + FLINK
                                        + ".jar"));
        Map<String, Object> spec =
                (Map<String, Object>)
                        ((Map<String, Object>)
                                        yaml(ROOT.resolve("deploy/k8s/flinkdeployment.yaml")))
                                .get("spec");
        Map<String, Object> conf = (Map<String, Object>) spec.get("flinkConfiguration");
        assertEquals(REPORTER, conf.get("metrics.reporter.prom.factory.class"));
        Map<String, Object> annotations =
                (Map<String, Object>)
                        ((Map<String, Object>)
                                        ((Map<String, Object>) spec.get("podTemplate"))
                                                .get("metadata"))
                                .get("annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(conf.get("metrics.reporter.prom.port"), annotations.get("prometheus.io/port"));

        Map<String, Object> template =
                (Map<String, Object>)
                        ((Map<String, Object>)
                                        ((Map<String, Object>)
                                                        yaml(
                                                                ROOT.resolve(
                                                                        "deploy/k8s/worker.yaml")))
                                                .get("spec"))
                                .get("template");
        Map<String, Object> wa =
                (Map<String, Object>)
                        ((Map<String, Object>) template.get("metadata")).get("annotations");
        Map<String, Object> container =
                ((List<Map<String, Object>>)
                                ((Map<String, Object>) template.get("spec")).get("containers"))
                        .get(0);
        String port = metricsPort(String.join(",", (List<String>) container.get("args")));
        assertEquals(port, wa.get("prometheus.io/port"));
        assertEquals("true", wa.get("prometheus.io/scrape"));
        assertTrue(container.get("ports").toString().contains("containerPort=" + port));

        Map<String, String> configMaps = kubernetesConfigMaps();
        assertEquals(
                Files.readString(DASHBOARD),
                configMaps.get("edgellm-dashboard.json"),
                "deploy/k8s/monitoring.yaml carries deploy/grafana/edgellm-dashboard.json as is");
        assertEquals(
                Files.readString(ALERTS),
                configMaps.get("alerts.yml"),
                "deploy/k8s/monitoring.yaml carries deploy/prometheus/alerts.yml as is");
        Map<String, Object> promYaml =
                new org.yaml.snakeyaml.Yaml().load(configMaps.get("prometheus.yml"));
        assertEquals(List.of("alerts.yml"), promYaml.get("rule_files"));
        assertTrue(
                promYaml.get("scrape_configs")
                        .toString()
                        .contains("__meta_kubernetes_pod_annotation_prometheus_io_port"));
    }
}
