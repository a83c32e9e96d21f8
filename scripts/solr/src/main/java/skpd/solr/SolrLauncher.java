package skpd.solr;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a standalone Solr node for local development and tests.
 *
 * <p>Usage: {@code java -cp 'skpd-solr-launcher.jar:lib/*' skpd.solr.SolrLauncher PORT SOLR_HOME}
 *
 * <p>The node serves the HTTP API under {@code http://127.0.0.1:PORT/solr} (JettySolrRunner binds
 * to loopback only). Every folder under SOLR_HOME that contains a {@code core.properties} is a core,
 * and all of them must load: otherwise the process exits with status 1 and names the failing core.
 * A taken port gives status 2, any other start-up failure status 1. SIGTERM or SIGINT stops Jetty
 * and closes the cores, which commits pending updates and closes the update log.
 *
 * <p>Messages meant for the person who started Solr go to stdout/stderr (scripts/solr.sh sends
 * them to a file next to the log); everything else goes to log4j.
 */
public final class SolrLauncher {

  private static final String CONTEXT = "/solr";
  private static final int EXIT_FAILED = 1;
  private static final int EXIT_PORT_TAKEN = 2;
  private static final int EXIT_USAGE = 64;

  private static final Logger log = LoggerFactory.getLogger(SolrLauncher.class);

  private SolrLauncher() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: SolrLauncher PORT SOLR_HOME");
      System.exit(EXIT_USAGE);
    }
    int port;
    try {
      port = Integer.parseInt(args[0]);
    } catch (NumberFormatException e) {
      System.err.println("SolrLauncher: port is not a number: " + args[0]);
      System.exit(EXIT_USAGE);
      return;
    }
    Path home = Paths.get(args[1]).toAbsolutePath().normalize();
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("SolrLauncher: no solr.xml in Solr home " + home);
      System.exit(EXIT_FAILED);
    }
    System.exit(run(port, home));
  }

  private static int run(int port, Path home) {
    List<String> expectedCores;
    try {
      expectedCores = discoverCores(home);
    } catch (IOException e) {
      return fail("cannot read the Solr home " + home + ": " + e, e);
    }
    if (expectedCores.isEmpty()) {
      return fail("no core (no folder with core.properties) under " + home, null);
    }

    JettyConfig config =
        JettyConfig.builder()
            .setContext(CONTEXT)
            .setPort(port)
            // Fail at once on a taken port, because the default retries for a minute.
            .withPortRetryTime(0)
            // Our own hook below stops the runner, so Jetty must not race it.
            .stopAtShutdown(false)
            .enableV2(false)
            .useOnlyHttp1(true)
            .build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), config);

    long started = System.nanoTime();
    try {
      runner.start();
    } catch (Exception e) {
      stopQuietly(runner);
      if (causedByBindException(e)) {
        System.err.println(
            "SolrLauncher: port 127.0.0.1:" + port + " is already in use; stop whatever holds it"
                + " or choose another port");
        log.error("Port {} is already in use", port, e);
        return EXIT_PORT_TAKEN;
      }
      return fail("Solr did not start: " + e, e);
    }

    String problem = checkCores(runner, expectedCores);
    if (problem != null) {
      stopQuietly(runner);
      return fail(problem, null);
    }

    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Stopping Solr on {}", runner.getBaseUrl());
                  stopQuietly(runner);
                  log.info("Solr stopped");
                },
                "skpd-solr-shutdown"));

    long ms = (System.nanoTime() - started) / 1_000_000;
    String msg =
        "Solr is running at " + runner.getBaseUrl() + " with cores " + expectedCores
            + " (Solr home " + home + ", started in " + ms + " ms)";
    log.info(msg);
    System.out.println("SolrLauncher: " + msg);
    System.out.flush();

    // Park the main thread. On SIGTERM the JVM runs the hook above and exits without waiting
    // for this thread.
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Lists the cores under home, named by each core.properties (default: the folder name). */
  private static List<String> discoverCores(Path home) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    try (Stream<Path> found = Files.walk(home, 3)) {
      for (Path p : (Iterable<Path>) found::iterator) {
        if (!p.getFileName().toString().equals("core.properties")) {
          continue;
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(p)) {
          props.load(in);
        }
        names.add(props.getProperty("name", p.getParent().getFileName().toString()));
      }
    }
    return new ArrayList<>(names);
  }

  /** Returns null when every expected core is loaded, or else a message naming each failure. */
  private static String checkCores(JettySolrRunner runner, List<String> expectedCores) {
    CoreContainer cores;
    try {
      cores = runner.getCoreContainer();
    } catch (RuntimeException e) {
      cores = null;
    }
    if (cores == null || cores.isShutDown()) {
      return "the Solr node did not initialise (bad solr.xml or Solr home?); see the log";
    }
    StringBuilder problems = new StringBuilder();
    Map<String, CoreContainer.CoreLoadFailure> failures = cores.getCoreInitFailures();
    for (Map.Entry<String, CoreContainer.CoreLoadFailure> f : failures.entrySet()) {
      problems
          .append("\n  core '")
          .append(f.getKey())
          .append("' failed to load: ")
          .append(rootMessage(f.getValue().exception));
    }
    for (String name : expectedCores) {
      if (!failures.containsKey(name) && !cores.isLoaded(name)) {
        problems.append("\n  core '").append(name).append("' is not loaded (no reason given)");
      }
    }
    return problems.length() == 0 ? null : "some cores did not load:" + problems;
  }

  /** Formats the chain of causes, outermost first, so the root cause is visible. */
  private static String rootMessage(Throwable t) {
    StringBuilder sb = new StringBuilder(String.valueOf(t));
    Throwable cause = t.getCause();
    for (int depth = 0; cause != null && cause != t && depth < 8; depth++) {
      sb.append(" <- caused by ").append(cause);
      t = cause;
      cause = cause.getCause();
    }
    return sb.toString();
  }

  private static boolean causedByBindException(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++) {
      if (t instanceof BindException) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  private static int fail(String message, Throwable t) {
    System.err.println("SolrLauncher: " + message);
    if (t != null) {
      log.error(message, t);
    } else {
      log.error(message);
    }
    return EXIT_FAILED;
  }

  private static void stopQuietly(JettySolrRunner runner) {
    try {
      if (runner.isRunning()) {
        runner.stop();
      }
    } catch (Exception e) {
      log.warn("Error while stopping Solr", e);
    }
  }
}
