package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgellm.job.JobConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml and deploy/k8s agree with the code: images of the Flink version we build on,
 * jar paths, entry classes, topic names and every flag (a renamed flag breaks this test).
 */
class DeployFilesTest {

    static final Path ROOT = Path.of("..");
    static final String FLINK = org.apache.flink.runtime.util.EnvironmentInformation.getVersion();

    static Object yaml(Path p) throws Exception {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(p));
    }

    static List<Object> yamlAll(Path p) throws Exception {
        List<Object> out = new ArrayList<>();
        new Yaml(new SafeConstructor(new LoaderOptions()))
                .loadAll(Files.readString(p))
                .forEach(out::add);
        return out;
    }

    static List<String> flags(String command) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?:^|\\s)--([a-z][a-z0-9.-]*)").matcher(command);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static void jobFlags(List<String> fs, String where) {
        for (String f : fs) {
            assertTrue(
                    JobConfig.FLAGS.contains(f) || f.startsWith("kafka."),
                    where + ": unknown job flag --" + f);
        }
    }

    /** Every flag is one of the command's own (picocli refuses any other). */
    static void workerFlags(String command, List<String> fs, String where) {
        Set<String> known = WorkerMain.flagsByCommand().get(command);
        assertTrue(known != null, where + ": unknown worker.jar command " + command);
        for (String f : fs) {
            assertTrue(
                    known.contains(f) || f.startsWith("kafka."),
                    where + ": unknown flag --" + f + " of worker.jar " + command);
        }
    }

    /** The word after worker.jar, one of the jar's commands. */
    static String workerCommand(String command, String where) {
        Matcher m = Pattern.compile("worker\\.jar\"?,?\\s+\"?([a-z]+)").matcher(command);
        assertTrue(m.find(), where + ": no command after worker.jar in " + command);
        assertTrue(
                WorkerMain.COMMANDS.contains(m.group(1)),
                where + ": unknown worker.jar command " + m.group(1));
        return m.group(1);
    }

    static Set<String> defaultTopics() {
        JobConfig c = new JobConfig();
        return new TreeSet<>(
                List.of(
                        c.requestsTopic,
                        c.channelsTopic,
                        c.telemetryTopic,
                        c.decisionsTopic,
                        c.rejectionsTopic,
                        c.reportsTopic,
                        c.deadLetterTopic,
                        "completions"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeAgreesWithTheCode() throws Exception {
        Map<String, Object> services =
                (Map<String, Object>)
                        ((Map<String, Object>) yaml(ROOT.resolve("docker-compose.yml")))
                                .get("services");
        for (String s : List.of("jobmanager", "taskmanager", "submit")) {
            assertEquals(
                    "flink:" + FLINK + "-java17",
                    ((Map<String, Object>) services.get(s)).get("image"),
                    s);
        }
        Map<String, Object> submit = (Map<String, Object>) services.get("submit");
        String cmd = (String) submit.get("command");
        assertTrue(
                cmd.contains(
                        "-c "
                                + org.edgellm.job.SchedulerJob.class.getName()
                                + " /opt/flink/usrlib/job.jar"),
                cmd);
        assertTrue(
                ((List<String>) submit.get("volumes"))
                        .contains("./job/target/job.jar:/opt/flink/usrlib/job.jar:ro"));
        jobFlags(flags(cmd.substring(cmd.indexOf("job.jar"))), "submit");
        String topics =
                String.join(
                        " ",
                        (List<String>)
                                ((Map<String, Object>) services.get("topics")).get("command"));
        for (String t : defaultTopics()) {
            assertTrue(
                    topics.contains(" " + t + " ") || topics.contains(" " + t + ";"),
                    "topic " + t + " is created");
        }
        int workers = 0;
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> svc = (Map<String, Object>) e.getValue();
            String c = String.valueOf(svc.get("command"));
            if (c.contains("/app/worker.jar")) {
                workerFlags(workerCommand(c, e.getKey()), flags(c), e.getKey());
                if (c.contains(" worker ")) {
                    workers++;
                }
            }
        }
        assertEquals(3, workers, "three workers");
        assertTrue(
                Files.readString(ROOT.resolve("docker-compose.yml"))
                        .contains("./worker/target/worker.jar:/app/worker.jar"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesAgreesWithTheCode() throws Exception {
        String docker = Files.readString(ROOT.resolve("deploy/k8s/Dockerfile"));
        assertTrue(docker.contains("FROM flink:" + FLINK + "-java17"), docker);
        assertTrue(docker.contains("COPY job/target/job.jar /opt/flink/usrlib/job.jar"), docker);
        Map<String, Object> fd =
                (Map<String, Object>) yaml(ROOT.resolve("deploy/k8s/flinkdeployment.yaml"));
        Map<String, Object> spec = (Map<String, Object>) fd.get("spec");
        assertEquals(
                "v" + FLINK.substring(0, FLINK.lastIndexOf('.')).replace('.', '_'),
                spec.get("flinkVersion"));
        Map<String, Object> job = (Map<String, Object>) spec.get("job");
        assertEquals(org.edgellm.job.SchedulerJob.class.getName(), job.get("entryClass"));
        assertEquals("local:///opt/flink/usrlib/job.jar", job.get("jarURI"));
        assertEquals("savepoint", job.get("upgradeMode"));
        jobFlags(flags(String.join(" ", (List<String>) job.get("args"))), "FlinkDeployment");
        Set<String> topics = new TreeSet<>();
        for (Object o : yamlAll(ROOT.resolve("deploy/k8s/kafka.yaml"))) {
            Map<String, Object> doc = (Map<String, Object>) o;
            if ("KafkaTopic".equals(doc.get("kind"))) {
                topics.add((String) ((Map<String, Object>) doc.get("metadata")).get("name"));
            }
        }
        assertTrue(topics.containsAll(defaultTopics()), "topics " + topics);
        Map<String, Object> dep =
                (Map<String, Object>) yaml(ROOT.resolve("deploy/k8s/worker.yaml"));
        Map<String, Object> pod =
                (Map<String, Object>)
                        ((Map<String, Object>)
                                        ((Map<String, Object>) dep.get("spec")).get("template"))
                                .get("spec");
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        String command =
                workerCommand(
                        String.join(", ", (List<String>) container.get("command")),
                        "worker Deployment");
        workerFlags(
                command,
                flags(String.join(" ", (List<String>) container.get("args"))),
                "worker Deployment");
    }

    /**
     * The flag lists are complete: the job's options (JobConfig's picocli options) are exactly
     * JobConfig.FLAGS, and the flags that feed, report and audit hand on as a map are exactly those
     * their code reads.
     */
    @Test
    void flagListsMatchTheParsers() throws Exception {
        Set<String> read = new TreeSet<>();
        for (var o : new picocli.CommandLine(new JobConfig()).getCommandSpec().options()) {
            read.add(o.longestName().substring(2));
        }
        assertEquals(new TreeSet<>(JobConfig.FLAGS), read);
        Pattern w = Pattern.compile("(?:getOrDefault|containsKey|f\\.get)\\s*\\(\\s*\"([a-z-]+)\"");
        Map<String, List<String>> readers =
                Map.of(
                        "feed", List.of("Feeder.java"),
                        "report", List.of("Report.java", "TopicSnapshot.java"),
                        "audit", List.of("Audit.java", "TopicSnapshot.java"));
        for (Map.Entry<String, List<String>> e : readers.entrySet()) {
            // --kafka-properties is read by WorkerMain for every command
            Set<String> wread = new TreeSet<>(Set.of("kafka-properties"));
            for (String file : e.getValue()) {
                Matcher wm =
                        w.matcher(
                                Files.readString(
                                        ROOT.resolve(
                                                "worker/src/main/java/org/edgellm/worker/"
                                                        + file)));
                while (wm.find()) {
                    wread.add(wm.group(1));
                }
            }
            assertEquals(wread, WorkerMain.flagsByCommand().get(e.getKey()), e.getKey());
        }
        assertEquals(WorkerMain.COMMANDS, WorkerMain.flagsByCommand().keySet());
    }

    static String pomProperty(String pom, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(pom);
        assertTrue(m.find(), "property " + name);
        return m.group(1).trim();
    }

    /**
     * deploy/local: the classpath poms use the versions of the build, the scripts start classes
     * that exist, pass flags the job and the worker know, create every topic and give the Flink
     * processes the same Java 17 flags as the tests.
     */
    @Test
    void localScriptsAgreeWithTheCode() throws Exception {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String kafkaPom = Files.readString(ROOT.resolve("deploy/local/kafka/pom.xml"));
        String flinkPom = Files.readString(ROOT.resolve("deploy/local/flink/pom.xml"));
        assertEquals(pomProperty(parent, "kafka.version"), pomProperty(kafkaPom, "kafka.version"));
        assertEquals(pomProperty(parent, "log4j.version"), pomProperty(kafkaPom, "log4j.version"));
        assertEquals(pomProperty(parent, "flink.version"), pomProperty(flinkPom, "flink.version"));
        assertEquals(FLINK, pomProperty(flinkPom, "flink.version"));
        assertEquals(pomProperty(parent, "log4j.version"), pomProperty(flinkPom, "log4j.version"));
        for (String a : List.of("flink-runtime-web", "flink-rpc-akka-loader", "flink-clients")) {
            assertTrue(flinkPom.contains("<artifactId>" + a + "</artifactId>"), a);
        }
        String lib = Files.readString(ROOT.resolve("deploy/local/lib.sh"));
        String start = Files.readString(ROOT.resolve("deploy/local/start.sh"));
        String submit = Files.readString(ROOT.resolve("deploy/local/submit.sh"));
        Matcher opts = Pattern.compile("FLINK_JAVA_OPTS=\"([^\"]+)\"").matcher(lib);
        assertTrue(opts.find());
        assertEquals(pomProperty(parent, "flink.java.opts"), opts.group(1));
        Matcher topics = Pattern.compile("TOPICS=\"([^\"]+)\"").matcher(lib);
        assertTrue(topics.find());
        assertEquals(defaultTopics(), new TreeSet<>(List.of(topics.group(1).split(" "))));
        for (String cls :
                List.of(
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        "org.apache.flink.runtime.util.bash.BashJavaUtils")) {
            assertTrue(start.contains(cls), cls);
            Class.forName(cls, false, getClass().getClassLoader());
        }
        assertTrue(start.contains("kafka.tools.StorageTool") && start.contains("kafka.Kafka "));
        assertTrue(
                submit.contains(
                        "entryClass\\\":\\\""
                                + org.edgellm.job.SchedulerJob.class.getName()
                                + "\\\""),
                submit);
        Matcher args = Pattern.compile("(?s)args=\\((.*?)\\)").matcher(submit);
        assertTrue(args.find());
        jobFlags(flags(args.group(1)), "submit.sh");
        Matcher workers =
                Pattern.compile("(?s)WORKER_JAR\"? (worker|feed) (.*?)\n\\s*(?:done|log|\\})")
                        .matcher(start);
        int n = 0;
        while (workers.find()) {
            workerFlags(workers.group(1), flags(workers.group(2)), "start.sh " + workers.group(1));
            n++;
        }
        assertEquals(2, n, "start.sh starts workers and the feeder");
        String smoke = Files.readString(ROOT.resolve("deploy/local/smoke-test.sh"));
        Matcher tools = Pattern.compile("WORKER_JAR\"? (audit|report)([^\n]*)").matcher(smoke);
        int t = 0;
        while (tools.find()) {
            workerFlags(tools.group(1), flags(tools.group(2)), "smoke-test.sh " + tools.group(1));
            t++;
        }
        assertEquals(3, t, "smoke-test.sh runs audit and report");
        assertTrue(
                smoke.contains("audit --expect-all")
                        && WorkerMain.flagsByCommand().get("audit").contains("expect-all"));
        String fault = Files.readString(ROOT.resolve("deploy/local/fault-test.sh"));
        Matcher faultAudit = Pattern.compile("(?s)WORKER_JAR\"? audit (.*?)\\|\\|").matcher(fault);
        assertTrue(faultAudit.find(), "fault-test.sh runs audit");
        workerFlags("audit", flags(faultAudit.group(1)), "fault-test.sh audit");
        assertTrue(fault.contains("audit_mode=\"--at-least-once\""), "fault-test.sh's audit mode");
        workerFlags("audit", List.of("at-least-once"), "fault-test.sh audit_mode");
        assertTrue(
                Files.readString(ROOT.resolve(".ci/run")).contains("deploy/local/smoke-test.sh"));
    }
}
