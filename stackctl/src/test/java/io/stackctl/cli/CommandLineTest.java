package io.stackctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.core.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command layer in-process: exit code, stdout and stderr, no engine needed. */
class CommandLineTest {

    record Run(int exitCode, String out, String err) {}

    @TempDir
    Path projectDir;

    private Run run(Map<String, String> env, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = StackctlCommandLine.create(env, new PrintWriter(out), new PrintWriter(err))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path stackDir() throws Exception {
        Files.createDirectories(projectDir.resolve("compose"));
        Files.writeString(projectDir.resolve("compose/compose.yaml"), "services: {}\n");
        return projectDir;
    }

    @Test
    void upWithoutAnEngineExits3WithOneLineAndAHintAndWritesNothing() throws Exception {
        Path dir = stackDir();

        var run = run(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), "up", "--project-dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PRECONDITION);
        assertThat(run.err()).startsWith("error: the Docker engine at tcp://127.0.0.1:1 is not reachable");
        assertThat(run.err()).contains("hint: start it");
        assertThat(dir.resolve("compose/.env")).doesNotExist();
    }

    @Test
    void scaleRefusesAServiceOtherThanApp() {
        var run = run(Map.of(), "scale", "db=3");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("only app scales ('db' is a single instance");
    }

    @Test
    void scaleRefusesANonNumber() {
        assertThat(run(Map.of(), "scale", "app=abc").err()).contains("must be a whole number, got 'abc'");
    }

    @Test
    void scaleRefusesNegativeZeroAndTooManyReplicas() {
        for (String arg : new String[] {"app=-1", "app=0", "app=21"}) {
            var run = run(Map.of(), "scale", arg);
            assertThat(run.exitCode()).as(arg).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).as(arg).contains("replicas must be from 1 to 20");
        }
    }

    @Test
    void scaleWithoutEqualsSignIsAUsageError() {
        assertThat(run(Map.of(), "scale", "5").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void upRefusesAReplicaCountOutOfRange() throws Exception {
        var run = run(
                Map.of(), "up", "--replicas", "0", "--project-dir", stackDir().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("replicas must be from 1 to 20, got 0");
    }

    @Test
    void aBadDurationIsAUsageError() {
        var run = run(Map.of(), "up", "--wait-timeout", "soon");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("'soon' is not a duration");
    }

    @Test
    void unknownLogServiceIsAUsageError() throws Exception {
        var run = run(Map.of(), "logs", "mysql", "--project-dir", stackDir().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("unknown service 'mysql'");
    }

    @Test
    void aMissingStackIsAPrecondition() {
        var run = run(Map.of(), "status", "--project-dir", projectDir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PRECONDITION);
        assertThat(run.err()).contains("no compose/compose.yaml under");
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        var run = run(Map.of());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Usage: stackctl");
    }

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        var run = run(Map.of(), "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("up", "down", "status", "health", "scale", "logs", "images", "doctor");
        assertThat(run.out()).contains("3   precondition missing");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run(Map.of(), "status", "--bogus").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void anUnknownDrillOrABadRateIsAUsageErrorBeforeTouchingTheStack() {
        var unknown = run(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), "drill", "kill-everything");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("no drill named 'kill-everything'").contains("hint: choose one of");

        assertThat(run(Map.of(), "drill", "all", "--rate", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run(Map.of(), "drill", "all", "--duration", "0s").exitCode()).isEqualTo(ExitCodes.USAGE);
        for (String bound : new String[] {"4s", "11m"}) {
            var bad = run(
                    Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), "drill", "db-failover", "--writes-back-within", bound);
            assertThat(bad.exitCode()).as(bound).isEqualTo(ExitCodes.USAGE);
            assertThat(bad.err()).as(bound).contains("--writes-back-within must be 5s to 10m");
        }
        for (String loss : new String[] {"0", "101", "-5"}) {
            var bad = run(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), "drill", "cache-loss", "--loss", loss);
            assertThat(bad.exitCode()).as(loss).isEqualTo(ExitCodes.USAGE);
            assertThat(bad.err()).as(loss).contains("--loss must be 1 to 100 (percent), got " + loss);
        }
        for (String spike : new String[] {"39s", "11m"}) {
            var bad = run(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), "drill", "load-spike", "--spike", spike);
            assertThat(bad.exitCode()).as(spike).isEqualTo(ExitCodes.USAGE);
            assertThat(bad.err()).as(spike).contains("--spike must be 40s to 10m");
        }
    }

    @Test
    void pruneThatWouldKeepNothingIsRefused() throws Exception {
        var run = run(
                Map.of(),
                "backups",
                "prune",
                "--keep-daily",
                "0",
                "--keep-weekly",
                "0",
                "--keep-monthly",
                "0",
                "--project-dir",
                stackDir().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("would delete every backup");
    }

    @Test
    void backupsListOfAnEmptyFolderSaysSo() throws Exception {
        var run = run(Map.of(), "backups", "list", "--project-dir", stackDir().toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("no backups of project 'taskmanager'");
    }

    @Test
    void backupWithoutAnEngineExits3() throws Exception {
        var run = run(
                Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"),
                "backup",
                "--project-dir",
                stackDir().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PRECONDITION);
        assertThat(run.err()).contains("not reachable");
    }

    private static GlobalOptions globalsOfLeaf(String... args) {
        var commandLine = StackctlCommandLine.create(
                Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        var parsed = commandLine.parseArgs(args);
        StackctlCommandLine.inheritGlobalOptions(parsed);
        var leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        return ((StackCommand) leaf.commandSpec().userObject()).global;
    }

    @Test
    void globalOptionsBeforeTheCommandReachTheCommand() {
        var global = globalsOfLeaf("-p", "prod", "-o", "json", "-v", "status");

        assertThat(global.project()).isEqualTo("prod");
        assertThat(global.json()).as("-o json before the command").isTrue();
        assertThat(global.verbose()).isTrue();
    }

    @Test
    void aGlobalOptionAfterTheCommandWinsOverOneBeforeIt() {
        assertThat(globalsOfLeaf("-p", "prod", "backups", "list", "-p", "staging")
                        .project())
                .isEqualTo("staging");
    }

    @Test
    void globalOptionsBeforeTheCommandAreNotAUsageError() throws Exception {
        var run = run(
                Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"),
                "--project-dir",
                stackDir().toString(),
                "-p",
                "prod",
                "status");

        assertThat(run.err()).doesNotContain("Unknown option");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.PRECONDITION);
    }

    @Test
    void projectNamesComposeWouldRefuseOrThatCouldEscapeAPathAreUsageErrors() {
        for (String bad : new String[] {"Prod", "../etc", "a b", "-x", "", "a;b"}) {
            var run = run(Map.of(), "status", "-p", bad);
            assertThat(run.exitCode()).as(bad).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).as(bad).contains("invalid project name");
        }
    }

    @Test
    void deployRefusesABatchOutOfRange() {
        for (String batch : new String[] {"0", "-1", "21"}) {
            var run = run(Map.of(), "deploy", "--batch", batch);
            assertThat(run.exitCode()).as(batch).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).as(batch).contains("--batch must be from 1 to 20");
        }
    }

    @Test
    void deployRefusesAnErrorRateThatIsNotAPercentage() {
        var run = run(Map.of(), "deploy", "--max-error-rate", "150");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--max-error-rate must be from 0 to 100");
    }

    @Test
    void rollbackRefusesAReleaseIdThatIsNotOne() {
        var run = run(Map.of(), "rollback", "--to", "latest");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--to takes a release id such as 3 or r3");
    }

    @Test
    void releasesOfAProjectWithNoneSaysHowTheyAreMade() throws Exception {
        var run = run(Map.of(), "releases", "--project-dir", stackDir().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("no releases of 'taskmanager' yet");
    }

    @Test
    void releasesAsJsonIsAnEmptyListRatherThanNothing() throws Exception {
        var run = run(
                Map.of(), "-o", "json", "releases", "--project-dir", stackDir().toString());

        assertThat(run.out().strip()).isEqualTo("[ ]");
    }

    @Test
    void benchWithATargetsFileOfAnotherShapeIsAUsageErrorNamingWhatIsWrong() throws Exception {
        Path targets = Files.writeString(projectDir.resolve("other.json"), "{\"name\": \"not targets\"}");

        var run = run(Map.of(), "bench", "--project-dir", stackDir().toString(), "--targets", targets.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("is not a targets file: it has no \"profiles\" object");
        assertThat(run.err()).doesNotContain("NullPointerException");
    }

    @Test
    void benchTakesWarmup0sToSkipTheWarmUp() throws Exception {
        var run = run(
                Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"),
                "bench",
                "--project-dir",
                stackDir().toString(),
                "--targets",
                Path.of("../perf/targets.json").toAbsolutePath().toString(),
                "--warmup",
                "0s");

        assertThat(run.err()).doesNotContain("--warmup");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.PRECONDITION);
    }

    @Test
    void doctorFailsOnTheExamplesPlaceholderSecret() throws Exception {
        Path dir = stackDir();
        Files.writeString(
                dir.resolve("compose/.env"), "POSTGRES_PASSWORD=change-me\nREDIS_PASSWORD=" + "r".repeat(32) + "\n");

        var run = run(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), "doctor", "--project-dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(run.out() + run.err()).contains("POSTGRES_PASSWORD is the placeholder 'change-me'");
    }

    @Test
    void upRefusesTheExamplesPlaceholderSecretAndChangesNothing() throws Exception {
        Path dir = stackDir();
        String example = "POSTGRES_PASSWORD=change-me\nREDIS_PASSWORD=change-me\n";
        Files.writeString(dir.resolve("compose/.env"), example);

        var run = run(Map.of(), "up", "--project-dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PRECONDITION);
        assertThat(run.err()).contains("refusing to start with weak secrets: POSTGRES_PASSWORD is the placeholder");
        assertThat(dir.resolve("compose/.env")).hasContent(example.strip());
    }

    @Test
    void everyCommandAnswersHelpWithItsUsageAndNoFormatWarning() {
        var commands = StackctlCommandLine.create(
                        Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands();
        var capturedErr = new java.io.ByteArrayOutputStream();
        var systemErr = System.err;
        System.setErr(new java.io.PrintStream(capturedErr, true));
        try {
            for (String name : commands.keySet()) {
                if (name.equals("help")) {
                    continue;
                }
                var run = run(Map.of(), name, "--help");
                assertThat(run.exitCode()).as(name + " --help").isEqualTo(ExitCodes.OK);
                assertThat(run.out()).as(name + " --help").contains("Usage: stackctl " + name);
                assertThat(run(Map.of(), "help", name).out()).as("help " + name).contains("Usage: stackctl " + name);
            }
            assertThat(run(Map.of(), "backups", "prune", "--help").out()).contains("--keep-daily");
        } finally {
            System.setErr(systemErr);
        }
        assertThat(capturedErr.toString()).as("picocli warnings").doesNotContain("WARN");
    }

    @Test
    void aMistypedCommandGetsADidYouMean() {
        var run = run(Map.of(), "stauts");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("did you mean stackctl status");
    }

    @Test
    void logsRefusesANegativeTail() {
        var run = run(Map.of(), "logs", "--tail", "-1");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--tail must be 0 or more lines, got -1").doesNotContain("compose");
    }

    @Test
    void completionPrintsABashScriptThatKnowsTheCommands() {
        var run = run(Map.of(), "completion");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("complete -F").contains("deploy").contains("rollback");
    }

    @Test
    void aFailureWithOutputJsonIsAJsonDocumentOnStdoutToo() throws Exception {
        var run = run(
                Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"),
                "-o",
                "json",
                "status",
                "--project-dir",
                stackDir().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PRECONDITION);
        var document = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
        assertThat(document.get("ok").asBoolean()).isFalse();
        assertThat(document.get("exit_code").asInt()).isEqualTo(ExitCodes.PRECONDITION);
        assertThat(document.get("error").asText()).contains("not reachable");
        assertThat(document.get("hint").asText()).contains("start it");
    }

    @Test
    void pruneShowsThePolicyAndDeletesNothingUnlessConfirmed() throws Exception {
        Path dir = stackDir();
        Path dumps = Files.createDirectories(dir.resolve("backup/dumps"));
        var store = new io.stackctl.backup.BackupStore(dumps);
        for (int day = 1; day <= 3; day++) {
            String name = "taskmanager-2026110" + day + "T120000Z.dump";
            Files.writeString(dumps.resolve(name), "x");
            store.writeManifest(
                    dumps.resolve(name),
                    new io.stackctl.backup.Manifest(
                            2,
                            name,
                            "taskmanager",
                            "taskmanager",
                            java.time.Instant.parse("2026-11-0" + day + "T12:00:00Z"),
                            "0",
                            1,
                            "15",
                            Map.of("public.tasks", 1L),
                            1,
                            "test",
                            null,
                            "2"));
        }
        var stdin = System.in;
        System.setIn(new java.io.ByteArrayInputStream("no\n".getBytes()));
        Run run;
        try {
            run = run(Map.of(), "backups", "prune", "--keep-daily", "1", "--project-dir", dir.toString());
        } finally {
            System.setIn(stdin);
        }

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(run.err())
                .contains("policy: keep 1 daily, 4 weekly, 6 monthly")
                .contains("would delete");
        assertThat(run.err()).contains("prune not confirmed; nothing was deleted");
        try (var files = Files.list(dumps)) {
            assertThat(files.filter(f -> f.toString().endsWith(".dump"))).hasSize(3);
        }
    }

    @Test
    void deployRefusesAnUnknownStrategyNamingTheKnownOnes() {
        var run = run(Map.of(), "deploy", "--strategy", "purple");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("rolling").contains("bluegreen");
    }
}
