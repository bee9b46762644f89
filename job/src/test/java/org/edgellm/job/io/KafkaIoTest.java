package org.edgellm.job.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.edgellm.job.JobConfig;
import org.junit.jupiter.api.Test;

/** The sources' consumer settings: batched fetches unless the deployment says otherwise. */
class KafkaIoTest {

    @Test
    void sourcesBatchTheirFetchesByDefault() {
        Properties p = KafkaIo.sourceProperties(JobConfig.parse());
        assertEquals("16384", p.getProperty("fetch.min.bytes"));
        assertEquals("20", p.getProperty("fetch.max.wait.ms"));
        assertEquals("read_committed", p.getProperty("isolation.level"));
    }

    @Test
    void theDeploymentsFetchSettingsWin() {
        Properties p =
                KafkaIo.sourceProperties(
                        JobConfig.parse(
                                "--kafka.fetch.min.bytes", "1", "--kafka.fetch.max.wait.ms=500"));
        assertEquals("1", p.getProperty("fetch.min.bytes"));
        assertEquals("500", p.getProperty("fetch.max.wait.ms"));
    }

    @Test
    void readCommittedIsNotTheDeploymentsToChange() {
        Properties p =
                KafkaIo.sourceProperties(
                        JobConfig.parse("--kafka.isolation.level", "read_uncommitted"));
        assertEquals("read_committed", p.getProperty("isolation.level"));
    }
}
