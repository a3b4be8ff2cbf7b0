import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;

/**
 * The distribution's Java client for the tests, one JVM for a whole test run instead of one
 * `bin/pulsar-client` per call (test/support/java-client.ts starts it). Each line on stdin is a
 * request (JSON with an `id`), answered by one line on stdout with the same id; requests run at
 * once. Clients are kept by service URL and options. Ends when stdin ends.
 */
public class PulsarClients {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, PulsarClient> CLIENTS = new ConcurrentHashMap<>();
  private static PrintStream answers;

  public static void main(String[] args) throws Exception {
    // Answers alone go to stdout; whatever logs (the client's log4j default) goes to stderr.
    answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    ExecutorService work = Executors.newCachedThreadPool();
    BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    answer(JSON.createObjectNode().put("ready", true));
    for (String line; (line = requests.readLine()) != null; ) {
      JsonNode request = JSON.readTree(line);
      work.submit(() -> handle(request));
    }
    work.shutdownNow();
    try {
      CompletableFuture.allOf(CLIENTS.values().stream().map(PulsarClient::closeAsync).toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
    } finally {
      System.exit(0);
    }
  }

  private static void handle(JsonNode request) {
    ObjectNode answer = JSON.createObjectNode().put("id", request.get("id").asLong());
    try {
      switch (request.get("op").asText()) {
        case "produce" -> answer.put("produced", produce(request));
        case "consume" -> answer.put("consumed", consume(request));
        // Loads the client's classes (a client built, never connected), while the caller boots a topology.
        case "warm" -> PulsarClient.builder().serviceUrl("pulsar://127.0.0.1:6650").build().close();
        default -> throw new IllegalArgumentException("unknown op " + request.get("op"));
      }
    } catch (Throwable e) {
      answer.put("error", e.toString());
    }
    answer(answer);
  }

  private static synchronized void answer(ObjectNode answer) {
    answers.println(answer.toString());
  }

  /** Sends `count` messages, unbatched (one entry each, as `pulsar-client produce` writes them), and waits for every acknowledgement. */
  private static int produce(JsonNode request) throws Exception {
    int count = request.get("count").asInt();
    byte[] message = request.get("message").asText().getBytes(StandardCharsets.UTF_8);
    try (Producer<byte[]> producer = client(request).newProducer().topic(request.get("topic").asText()).enableBatching(false).create()) {
      List<CompletableFuture<MessageId>> sent = new ArrayList<>(count);
      for (int i = 0; i < count; i++) sent.add(producer.sendAsync(message));
      CompletableFuture.allOf(sent.toArray(new CompletableFuture[0])).get(request.path("timeoutMs").asLong(120_000), TimeUnit.MILLISECONDS);
      return count;
    }
  }

  /** Reads up to `count` messages from the earliest position with a new subscription, acknowledging each; returns how many arrived in time. */
  private static int consume(JsonNode request) throws Exception {
    int count = request.get("count").asInt();
    long deadline = System.currentTimeMillis() + request.path("timeoutMs").asLong(120_000);
    try (Consumer<byte[]> consumer = client(request).newConsumer()
        .topic(request.get("topic").asText())
        .subscriptionName(request.get("subscription").asText())
        .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
        .subscribe()) {
      int received = 0;
      while (received < count && System.currentTimeMillis() < deadline) {
        Message<byte[]> message = consumer.receive(1, TimeUnit.SECONDS);
        if (message == null) continue;
        consumer.acknowledge(message);
        received++;
      }
      return received;
    }
  }

  private static PulsarClient client(JsonNode request) {
    String url = request.get("serviceUrl").asText();
    JsonNode options = request.path("options");
    return CLIENTS.computeIfAbsent(url + " " + options, key -> {
      try {
        ClientBuilder builder = PulsarClient.builder().serviceUrl(url);
        if (options.hasNonNull("listenerName")) builder.listenerName(options.get("listenerName").asText());
        if (options.hasNonNull("tokenFile")) {
          builder.authentication(AuthenticationFactory.create("org.apache.pulsar.client.impl.auth.AuthenticationToken", "file://" + options.get("tokenFile").asText()));
        }
        if (options.hasNonNull("caCert")) builder.tlsTrustCertsFilePath(options.get("caCert").asText());
        return builder.build();
      } catch (Exception e) {
        throw new IllegalStateException("client of " + url + ": " + e, e);
      }
    });
  }
}
