package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topology larger than SnakeYAML's default document limit (3 Mi code points) loads: 10,000
 * domains of two nodes, as the end-to-end benchmark generates them (about 6.6 MB).
 */
class TopologyLargeTest {

    static String topology(int domains) {
        StringBuilder sb = new StringBuilder();
        sb.append("model: {layers: 32, hidden: 4096, vocab: 32000}\n");
        sb.append(
                "serviceClasses:\n"
                        + "  - {name: standard, latencyBudgetMs: 15000, maxPplIncrease: 0.5}\n");
        sb.append("domains:\n");
        for (int d = 0; d < domains; d++) {
            sb.append("  - id: dom-").append(d).append("\n    nodes:\n");
            for (char k = 'a'; k <= 'b'; k++) {
                sb.append("      - {id: dom-")
                        .append(d)
                        .append('-')
                        .append(k)
                        .append(
                                ", memoryBytes: 40.0e9, reserveBytes: 2.0e9,"
                                        + " memoryBandwidth: 1555.0e9, peakFlops: {\"16\":"
                                        + " 312.0e12, \"8\": 624.0e12, \"4\": 1248.0e12},"
                                        + " efficiency: 0.5, uplinkHz: 20.0e6, downlinkHz: 40.0e6,"
                                        + " variants: [{name: w4a16, weightBits: 4,"
                                        + " activationBits: 16, kvBits: 16, pplIncrease: 0.31}]}\n");
            }
        }
        return sb.toString();
    }

    @Test
    void loadsTenThousandDomainsPastTheDefaultLimit(@TempDir Path dir) throws Exception {
        String yaml = topology(10_000);
        int codePoints = yaml.codePointCount(0, yaml.length());
        // the point of the test: the document is over SnakeYAML's default of 3 Mi code points
        assertTrue(codePoints > 3 * 1024 * 1024, "generated " + codePoints + " code points");
        assertTrue(codePoints < Topology.MAX_YAML_CODE_POINTS);
        Path file = dir.resolve("large.yaml");
        Files.writeString(file, yaml);

        Topology t = Topology.load(file);

        assertEquals(10_000, t.domains.size());
        for (int d : new int[] {0, 4_321, 9_999}) {
            assertEquals(2, t.domains.get("dom-" + d).size(), "dom-" + d);
            NodeSpec b = t.node("dom-" + d, "dom-" + d + "-b");
            assertNotNull(b, "dom-" + d + "-b");
            assertEquals(40.0e9, b.memoryBytes);
        }
    }
}
