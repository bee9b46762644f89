package org.edgellm.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL queries of a Grafana dashboard (every {@code targets[].expr} of every panel, rows'
 * panels included) or of a Prometheus rule file (every alert's {@code expr}) and the metric names
 * each one selects.
 *
 * <p>A metric name is an identifier of the expression that is not a function or aggregation (an
 * identifier followed by {@code (}), not a keyword ({@code by}, {@code on}, {@code offset}...), not
 * inside a label matcher ({@code {...}}), a range ({@code [...]}), a grouping label list ({@code by
 * (...)}), a string or a Grafana variable ({@code $__rate_interval}, {@code ${datasource}}), and
 * not part of a number or a duration.
 */
final class DashboardQueries {
    private DashboardQueries() {}

    private static final Set<String> KEYWORDS =
            Set.of(
                    "by",
                    "without",
                    "on",
                    "ignoring",
                    "group_left",
                    "group_right",
                    "bool",
                    "and",
                    "or",
                    "unless",
                    "offset",
                    "inf",
                    "nan");

    private static final Pattern STRINGS =
            Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|`[^`]*`");
    private static final Pattern GROUPING =
            Pattern.compile(
                    "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern VARIABLES = Pattern.compile("\\$\\{[^}]*\\}|\\$\\w+");
    private static final Pattern TOKEN =
            Pattern.compile(
                    "(?<number>[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?[a-zA-Z]*)|(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)");

    /** The expressions of every panel, by panel title (one title may have several). */
    static Map<String, List<String>> expressions(Path dashboard) throws IOException {
        JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        Map<String, List<String>> out = new LinkedHashMap<>();
        collect(root.path("panels"), out);
        return out;
    }

    private static void collect(JsonNode panels, Map<String, List<String>> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                if (t.hasNonNull("expr")) {
                    out.computeIfAbsent(p.path("title").asText(), k -> new ArrayList<>())
                            .add(t.get("expr").asText());
                }
            }
            collect(p.path("panels"), out); // a collapsed row holds its panels
        }
    }

    /**
     * The expression of every alerting rule of a Prometheus rule file ({@code groups[].rules[]}
     * with an {@code alert}), by alert name.
     */
    @SuppressWarnings("unchecked")
    static Map<String, List<String>> alertExpressions(Path rules) throws Exception {
        Map<String, Object> root = (Map<String, Object>) DeployFilesTest.yaml(rules);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map<String, Object> g : (List<Map<String, Object>>) root.get("groups")) {
            for (Map<String, Object> r : (List<Map<String, Object>>) g.get("rules")) {
                if (r.containsKey("alert")) {
                    out.computeIfAbsent(String.valueOf(r.get("alert")), k -> new ArrayList<>())
                            .add(String.valueOf(r.get("expr")));
                }
            }
        }
        return out;
    }

    /** The metric names an expression selects. */
    static Set<String> metricNames(String expr) {
        String e = STRINGS.matcher(expr).replaceAll(" ");
        e = e.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^\\]]*\\]", " ");
        e = GROUPING.matcher(e).replaceAll(" ");
        e = VARIABLES.matcher(e).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = TOKEN.matcher(e);
        while (m.find()) {
            String name = m.group("name");
            if (name == null || KEYWORDS.contains(name.toLowerCase())) {
                continue;
            }
            int k = m.end();
            while (k < e.length() && Character.isWhitespace(e.charAt(k))) {
                k++;
            }
            if (k < e.length() && e.charAt(k) == '(') {
                continue; // a function or an aggregation
            }
            names.add(name);
        }
        return names;
    }

    /**
     * What the dashboard queries and nobody exports: "panel title: metric" for each metric name of
     * a panel's expression not in {@code exported}, and "panel title: no metric in EXPR" for an
     * expression that selects no metric at all (which this check could not vouch for).
     */
    static List<String> missing(Map<String, List<String>> expressions, Set<String> exported) {
        List<String> out = new ArrayList<>();
        expressions.forEach(
                (title, exprs) -> {
                    for (String expr : exprs) {
                        Set<String> names = metricNames(expr);
                        if (names.isEmpty()) {
                            out.add(title + ": no metric in " + expr);
                        }
                        for (String n : names) {
                            if (!exported.contains(n)) {
                                out.add(title + ": " + n);
                            }
                        }
                    }
                });
        return out;
    }
}
