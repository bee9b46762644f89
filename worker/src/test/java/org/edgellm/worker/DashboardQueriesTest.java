package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metric names read out of PromQL, and the check that names what nobody exports. */
class DashboardQueriesTest {

    @Test
    void namesWithoutFunctionsLabelsKeywordsOrVariables() {
        assertEquals(
                Set.of("a_total", "b_sum"),
                DashboardQueries.metricNames(
                        "sum by (node, reason) (rate(a_total{node=~\"edge-(a|b)\", x='y'}"
                                + "[$__rate_interval])) / on(node) group_left(le)"
                                + " rate(b_sum[5m:1m] offset 1h) > 0.5e3"));
        assertEquals(
                Set.of("c:recorded", "d"),
                DashboardQueries.metricNames(
                        "histogram_quantile(0.99, sum without (pod) (c:recorded)) or"
                                + " label_replace(d, \"dst\", \"$1\", \"src\", \"(.*)\") unless"
                                + " vector(1) and bool ${datasource}"));
        assertEquals(Set.of(), DashboardQueries.metricNames("vector(1) + 2"));
    }

    @Test
    void namesEveryPanelMetricNobodyExports(@TempDir Path dir) throws Exception {
        Path d = dir.resolve("d.json");
        Files.writeString(
                d,
                "{\"panels\": ["
                        + "{\"title\": \"A\", \"targets\": [{\"expr\": \"rate(x_total[1m])\"}]},"
                        + "{\"title\": \"row\", \"type\": \"row\", \"panels\": ["
                        + "  {\"title\": \"B\", \"targets\": [{\"expr\": \"y / typo_total\"},"
                        + "                                 {\"expr\": \"vector(0)\"}]}]}]}");
        Map<String, List<String>> exprs = DashboardQueries.expressions(d);
        assertEquals(List.of("A", "B"), List.copyOf(exprs.keySet()));
        assertEquals(
                List.of("B: typo_total", "B: no metric in vector(0)"),
                DashboardQueries.missing(exprs, Set.of("x_total", "y")));
        assertEquals(
                List.of("B: no metric in vector(0)"),
                DashboardQueries.missing(exprs, Set.of("x_total", "y", "typo_total")));
    }
}
