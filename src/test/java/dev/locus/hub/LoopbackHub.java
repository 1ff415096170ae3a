package dev.locus.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A Hugging Face Hub on loopback, speaking the resolve protocol as huggingface.co does: HEAD and
 * GET on {@code /ORG/NAME/resolve/REVISION/FILE} answer a small file themselves (ETag its git blob
 * id) and an LFS file (*.safetensors) with a 302 to a second server, the "CDN", on another port,
 * carrying {@code X-Linked-Etag} (its sha256), {@code X-Linked-Size} and {@code X-Repo-Commit}. A
 * renamed repository answers with a relative 307; 404s carry {@code X-Error-Code} as the Hub's do;
 * a gated repository wants a bearer token. The CDN serves {@code Range}. Faults are injected per
 * file; every request and every body byte is counted.
 *
 * <p>Also a program, for checking huggingface_hub itself against it by hand:
 * {@code java -cp ... dev.locus.hub.LoopbackHub ORG/NAME=DIR[@BRANCH] ...} prints its endpoint.
 */
public final class LoopbackHub implements AutoCloseable {
    /** What a file's next requests do instead of answering plainly. */
    public sealed interface Fault {}

    /** The CDN ends the body after this many bytes, {@code times} times. */
    public record CutAfter(long bytes, int times) implements Fault {}

    /** The resolve endpoint answers {@code status} to the next {@code times} requests for the file. */
    public record Status(int status, int times) implements Fault {}

    /** The CDN serves other bytes than the file's (one flipped byte), every time. */
    public record WrongBytes() implements Fault {}

    /** The CDN ignores Range and sends the whole file, every time. */
    public record IgnoresRange() implements Fault {}

    /** The resolve endpoint names this size for the file instead of its own, every time. */
    public record ClaimsSize(long bytes) implements Fault {}

    /** The CDN waits this long before it answers, every time: a download others overlap. */
    public record Slow(long millis) implements Fault {}

    private record Repo(Map<String, String> branches, Map<String, Map<String, byte[]>> commits, String token, String renamedTo) {}

    /** One request seen: method, path and whether it carried a bearer token. */
    public record Seen(String method, String path, boolean authorized, String range) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> faultUses = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> bytesServed = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> bodyRequests = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    public LoopbackHub() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", this::resolve);
        cdn.createContext("/", this::serveBlob);
        hub.setExecutor(Executors.newFixedThreadPool(8));
        cdn.setExecutor(Executors.newFixedThreadPool(8));
        hub.start();
        cdn.start();
    }

    public URI endpoint() {
        return URI.create("http://" + hub.getAddress().getHostString() + ":" + hub.getAddress().getPort());
    }

    /** Publishes every file of {@code dir} as commit {@code commit} of {@code repoId}, on {@code branch}. */
    public LoopbackHub publish(String repoId, String branch, String commit, Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
        return publish(repoId, branch, commit, files);
    }

    public LoopbackHub publish(String repoId, String branch, String commit, Map<String, byte[]> files) {
        Repo repo = repos.computeIfAbsent(repoId, id -> new Repo(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), null, null));
        repo.commits().put(commit, Map.copyOf(files));
        if (branch != null) {
            repo.branches().put(branch, commit);
        }
        files.forEach((name, bytes) -> {
            if (isLfs(name)) {
                blobs.put(sha256(bytes), bytes);
            }
        });
        return this;
    }

    /** Makes {@code repoId} answer only requests with {@code Authorization: Bearer token} (401 GatedRepo otherwise). */
    public LoopbackHub gate(String repoId, String token) {
        Repo r = repos.get(repoId);
        repos.put(repoId, new Repo(r.branches(), r.commits(), token, r.renamedTo()));
        return this;
    }

    /** {@code oldId} now redirects (relative 307) to {@code newId}, as the Hub does for a renamed repository. */
    public LoopbackHub rename(String oldId, String newId) {
        repos.put(oldId, new Repo(Map.of(), Map.of(), null, newId));
        return this;
    }

    /** Injects a fault into the requests for {@code file} (any repository). */
    public LoopbackHub fault(String file, Fault fault) {
        faults.put(file, fault);
        faultUses.put(file, new AtomicInteger());
        return this;
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Body bytes the CDN sent for the blob of {@code sha256}. */
    public long bytesServed(String sha256) {
        return bytesServed.getOrDefault(sha256, new AtomicLong()).get();
    }

    /** GETs the CDN answered for the blob of {@code sha256}. */
    public int bodyRequests(String sha256) {
        return bodyRequests.getOrDefault(sha256, new AtomicInteger()).get();
    }

    public List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    public void forget() {
        seen.clear();
        bytesServed.clear();
        bodyRequests.clear();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String gitBlobId(byte[] bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isLfs(String file) {
        return file.endsWith(".safetensors");
    }

    private void resolve(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getRawPath();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            seen.add(new Seen(x.getRequestMethod(), path, auth != null, x.getRequestHeaders().getFirst("Range")));
            String[] parts = path.split("/", 6);
            if (parts.length < 6 || !parts[3].equals("resolve")) {
                answer(x, 404, Map.of("X-Error-Code", "RepoNotFound"), null);
                return;
            }
            String repoId = parts[1] + "/" + parts[2];
            String revision = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
            String file = URLDecoder.decode(parts[5], StandardCharsets.UTF_8);
            Repo repo = repos.get(repoId);
            if (repo == null) {
                answer(x, 401, Map.of("X-Error-Code", "RepoNotFound"), null);
                return;
            }
            if (repo.renamedTo() != null) {
                answer(x, 307, Map.of("Location", "/" + repo.renamedTo() + "/resolve/" + parts[4] + "/" + parts[5]), null);
                return;
            }
            if (repo.token() != null && !("Bearer " + repo.token()).equals(auth)) {
                answer(x, auth == null ? 401 : 403, Map.of("X-Error-Code", "GatedRepo"), null);
                return;
            }
            if (faults.get(file) instanceof Status s && faultUses.get(file).getAndIncrement() < s.times()) {
                answer(x, s.status(), Map.of(), null);
                return;
            }
            String commit = repo.branches().getOrDefault(revision, repo.commits().containsKey(revision) ? revision : null);
            if (commit == null) {
                answer(x, 404, Map.of("X-Error-Code", "RevisionNotFound"), null);
                return;
            }
            byte[] bytes = repo.commits().get(commit).get(file);
            if (bytes == null) {
                answer(x, 404, Map.of("X-Error-Code", "EntryNotFound", "X-Repo-Commit", commit), null);
                return;
            }
            if (isLfs(file)) {
                String sha = sha256(bytes);
                URI location = URI.create("http://" + cdn.getAddress().getHostString() + ":" + cdn.getAddress().getPort() + "/blobs/" + sha
                        + "?signature=loopback");
                answer(x, 302, Map.of("Location", location.toString(), "X-Repo-Commit", commit, "X-Linked-Etag", "\"" + sha + "\"",
                        "X-Linked-Size", Long.toString(faults.get(file) instanceof ClaimsSize c ? c.bytes() : bytes.length), "ETag", "\"" + gitBlobId(("pointer " + sha).getBytes(StandardCharsets.UTF_8)) + "\""),
                        null);
                return;
            }
            answer(x, 200, Map.of("X-Repo-Commit", commit, "ETag", "\"" + gitBlobId(bytes) + "\""), bytes);
        }
    }

    private void serveBlob(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getRawPath();
            String range = x.getRequestHeaders().getFirst("Range");
            seen.add(new Seen(x.getRequestMethod(), "cdn:" + path, x.getRequestHeaders().getFirst("Authorization") != null, range));
            String sha = path.substring(path.lastIndexOf('/') + 1);
            byte[] bytes = blobs.get(sha);
            if (bytes == null) {
                answer(x, 404, Map.of(), null);
                return;
            }
            String file = faults.keySet().stream().filter(f -> blobOf(f, sha)).findFirst().orElse(null);
            Fault fault = file == null ? null : faults.get(file);
            if (fault instanceof Slow slow) {
                try {
                    Thread.sleep(slow.millis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fault instanceof WrongBytes) {
                bytes = bytes.clone();
                bytes[bytes.length / 2] ^= 1;
            }
            long from = 0;
            if (range != null && !(fault instanceof IgnoresRange)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d+)-").matcher(range);
                if (!m.matches()) {
                    answer(x, 416, Map.of(), null);
                    return;
                }
                from = Long.parseLong(m.group(1));
                if (from >= bytes.length) {
                    answer(x, 416, Map.of("Content-Range", "bytes */" + bytes.length), null);
                    return;
                }
            }
            bodyRequests.computeIfAbsent(sha, s -> new AtomicInteger()).incrementAndGet();
            int length = (int) (bytes.length - from);
            Headers h = x.getResponseHeaders();
            h.set("Content-Type", "application/octet-stream");
            if (from > 0) {
                h.set("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
            }
            if ("HEAD".equals(x.getRequestMethod())) {
                x.sendResponseHeaders(from > 0 ? 206 : 200, -1);
                return;
            }
            x.sendResponseHeaders(from > 0 ? 206 : 200, length);
            long cut = length;
            if (fault instanceof CutAfter c && faultUses.get(file).getAndIncrement() < c.times()) {
                cut = Math.min(length, Math.max(0, c.bytes() - from));
            }
            AtomicLong served = bytesServed.computeIfAbsent(sha, s -> new AtomicLong());
            OutputStream out = x.getResponseBody();
            int chunk = 64 * 1024;
            for (long sent = 0; sent < cut; ) {
                int n = (int) Math.min(chunk, cut - sent);
                out.write(bytes, (int) (from + sent), n);
                out.flush();
                served.addAndGet(n);
                sent += n;
            }
            if (cut < length) {
                // closing short of Content-Length drops the connection: the client sees the body cut
                throw new IOException("cut by the test after " + cut + " bytes");
            }
        }
    }

    private boolean blobOf(String file, String sha) {
        for (Repo r : repos.values()) {
            for (Map<String, byte[]> files : r.commits().values()) {
                byte[] b = files.get(file);
                if (b != null && sha256(b).equals(sha)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void answer(HttpExchange x, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach(x.getResponseHeaders()::set);
        boolean head = "HEAD".equals(x.getRequestMethod());
        if (body == null || head) {
            if (head && body != null) {
                x.getResponseHeaders().set("Content-Length", Long.toString(body.length));
            }
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        ((java.util.concurrent.ExecutorService) hub.getExecutor()).shutdownNow();
        ((java.util.concurrent.ExecutorService) cdn.getExecutor()).shutdownNow();
    }

    /** Serves {@code ORG/NAME=DIR[@BRANCH]} ... on loopback until killed; prints the endpoint, then one line per request. */
    public static void main(String[] args) throws IOException, InterruptedException {
        LoopbackHub hub = new LoopbackHub();
        int n = 0;
        for (String arg : args) {
            String[] repoAndDir = arg.split("=", 2);
            String[] dirAndBranch = repoAndDir[1].split("@", 2);
            String commit = gitBlobId(arg.getBytes(StandardCharsets.UTF_8));
            hub.publish(repoAndDir[0], dirAndBranch.length > 1 ? dirAndBranch[1] : HubName.DEFAULT_REVISION, commit, Path.of(dirAndBranch[0]));
            System.out.println("published " + repoAndDir[0] + " commit " + commit);
            n++;
        }
        System.out.println("endpoint " + hub.endpoint() + " (" + n + " repositories)");
        System.out.flush();
        Thread.currentThread().join();
    }
}
