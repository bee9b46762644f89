package org.edgellm.job;

/** Topologies used by the tests. */
final class TestTopologies {
    private TestTopologies() {}

    static final String NODE_A100 =
            """
                  - id: %s
                    memoryBytes: 40.0e9
                    reserveBytes: 2.0e9
                    memoryBandwidth: 1555.0e9
                    peakFlops: {"16": 312.0e12, "8": 624.0e12, "4": 1248.0e12}
                    efficiency: 0.5
                    uplinkHz: 20.0e6
                    downlinkHz: 40.0e6
                    variants:
                      - {name: fp16,  weightBits: 16, activationBits: 16, kvBits: 16, pplIncrease: 0.0}
                      - {name: w4a16, weightBits: 4,  activationBits: 16, kvBits: 16, pplIncrease: 0.31}
            """;
    static final String NODE_L4 =
            """
                  - id: %s
                    memoryBytes: 24.0e9
                    reserveBytes: 1.5e9
                    memoryBandwidth: 300.0e9
                    peakFlops: {"16": 121.0e12, "8": 242.0e12, "4": 242.0e12}
                    efficiency: 0.5
                    uplinkHz: 10.0e6
                    downlinkHz: 20.0e6
                    variants:
                      - {name: w4a16, weightBits: 4, activationBits: 16, kvBits: 16, pplIncrease: 0.31}
            """;

    /** Two domains, each with an A100 and an L4 node. */
    static String twoDomains() {
        return """
                model: {layers: 32, hidden: 4096, vocab: 32000}
                objective: requests
                computeModel: roofline
                serviceClasses:
                  - {name: standard, latencyBudgetMs: 20000, maxPplIncrease: 0.5, weight: 1, share: 1}
                  - {name: strict, latencyBudgetMs: 20000, maxPplIncrease: 0.01, weight: 1, share: 0}
                domains:
                  - id: d1
                    nodes:
                """
                + NODE_A100.formatted("d1-a")
                + NODE_L4.formatted("d1-b")
                + """
                  - id: d2
                    nodes:
                """
                + NODE_A100.formatted("d2-a")
                + NODE_L4.formatted("d2-b");
    }
}
