package dev.locus.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The Hub's resolve protocol, as huggingface_hub v0.24.6 speaks it: a HEAD on
 * {@code ENDPOINT/ORG/NAME/resolve/REVISION/FILE} that follows only relative redirects (a renamed
 * repository) and reads the commit from {@code X-Repo-Commit}, the etag and size from
 * {@code X-Linked-Etag}/{@code X-Linked-Size} (else {@code ETag}/{@code Content-Length}) and where
 * the bytes are from {@code Location}; then a GET of that location, resumed with {@code Range}. The
 * token goes only to the endpoint's own host, never to a CDN.
 */
final class HubHttp {
    /** Attempts of one request that fails without an answer or with a 5xx, as a Hub hiccup is common. */
    static final int ATTEMPTS = 4;
    private static final Duration RETRY_PAUSE = Duration.ofMillis(500);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_REDIRECTS = 10;
    private static final int BUFFER_BYTES = 1 << 20;

    /** What a HEAD told of one file. */
    sealed interface Head permits Found, Absent {}

    /** The file exists: its commit, etag (normalized as huggingface_hub's _normalize_etag), size and where its bytes are. */
    record Found(String commit, String etag, long size, URI location) implements Head {}

    /** The repo and revision exist, the file does not (404 EntryNotFound); the commit when the Hub named it. */
    record Absent(String commit) implements Head {}

    /** The Hub could not be asked or failed to answer (refused, cut, timed out, 5xx): the cache may still serve. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final HubEnvironment env;
    private final HttpClient client;
    private final PrintStream log;

    HubHttp(HubEnvironment env, PrintStream log) {
        this.env = env;
        this.log = log;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT)
                // the JVM's proxy settings (-Dhttps.proxyHost=...), which the client ignores unless given them
                .proxy(java.net.ProxySelector.getDefault()).build();
    }

    static URI resolveUrl(URI endpoint, HubName name, String file) {
        return URI.create(endpoint + "/" + name.repoId() + "/resolve/" + quote(name.revision(), false) + "/" + quote(file, true));
    }

    /** The HEAD of one file at the name's revision. */
    Head head(HubName name, String file) {
        URI url = resolveUrl(env.endpoint(), name, file);
        for (int redirects = 0; ; redirects++) {
            HttpResponse<Void> r = send(request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(HEAD_TIMEOUT), url,
                    HttpResponse.BodyHandlers.discarding(), name + " " + file);
            int status = r.statusCode();
            HttpHeaders h = r.headers();
            if (status >= 300 && status < 400) {
                URI asked = url;
                String location = h.firstValue("Location").orElseThrow(() -> new HubException(name.toString(), file,
                        "the Hub answered " + status + " without a Location header for " + asked));
                URI target = URI.create(location);
                if (target.getHost() == null && redirects < MAX_REDIRECTS) {
                    url = url.resolve(target.getRawPath());
                    continue;
                }
                return found(name, file, url, h, target.getHost() == null ? url.resolve(target) : target);
            }
            if (status >= 200 && status < 300) {
                return found(name, file, url, h, url);
            }
            if (status == 404 && "EntryNotFound".equals(h.firstValue("X-Error-Code").orElse(null))) {
                return new Absent(h.firstValue("X-Repo-Commit").orElse(null));
            }
            throw refused(name, file, url, status, h);
        }
    }

    private Found found(HubName name, String file, URI url, HttpHeaders h, URI location) {
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        if (commit == null || !HubName.isCommit(commit)) {
            throw new HubException(name.toString(), file, "the server at " + env.endpoint() + " gave no commit (X-Repo-Commit) for " + url
                    + ": it is not a Hugging Face Hub, or a proxy strips its headers (check HF_ENDPOINT)");
        }
        String etag = normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
        if (etag == null || etag.isEmpty() || etag.contains("/") || etag.startsWith(".")) {
            throw new HubException(name.toString(), file, "the Hub gave no usable ETag for " + url
                    + ": locus cannot tell which bytes it would download");
        }
        Optional<String> size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length"));
        long bytes;
        try {
            bytes = Long.parseLong(size.orElseThrow());
        } catch (RuntimeException e) {
            throw new HubException(name.toString(), file, "the Hub gave no size (X-Linked-Size or Content-Length) for " + url);
        }
        return new Found(commit, etag, bytes, location);
    }

    /** huggingface_hub's _normalize_etag: W/ and quotes stripped. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        return e.replaceAll("^\"+|\"+$", "");
    }

    /**
     * Appends the bytes of {@code found} from the length of {@code partial} on (a Range request), to
     * its full size, each written byte also given to {@code digest}, telling {@code progress} each step in bytes; retried from where it stopped when the
     * connection is cut. Throws with the bytes
     * so far kept in {@code partial}, for the next run to resume.
     */
    void download(HubName name, String file, Found found, Path partial, BlobDigest digest, LongConsumer progress) {
        int attemptsWithoutProgress = 0;
        while (true) {
            long have = sizeOf(partial);
            if (have == found.size()) {
                return;
            }
            if (have > found.size()) {
                throw new HubException(partial.toString(), file, "holds " + have + " bytes, more than the " + found.size()
                        + " the Hub names for " + name + ": delete it and run again");
            }
            long before = have;
            try {
                fetchFrom(name, file, found, partial, have, digest, progress);
            } catch (Unavailable e) {
                long now = sizeOf(partial);
                attemptsWithoutProgress = now > before ? 1 : attemptsWithoutProgress + 1;
                if (attemptsWithoutProgress >= ATTEMPTS) {
                    throw new HubException(name.toString(), file, e.getMessage() + "; " + now + " of " + found.size()
                            + " bytes are kept in " + partial + " and the next run resumes from there", e);
                }
                log.printf("locus: %s: %s; resuming at byte %d%n", file, e.getMessage(), now);
                pause();
            }
        }
    }

    private void fetchFrom(HubName name, String file, Found found, Path partial, long offset, BlobDigest digest, LongConsumer progress) {
        URI url = found.location();
        HttpResponse<InputStream> r;
        for (int redirects = 0; ; redirects++) {
            HttpRequest.Builder get = request(url).GET();
            if (offset > 0) {
                get.header("Range", "bytes=" + offset + "-");
            }
            r = send(get, url, HttpResponse.BodyHandlers.ofInputStream(), name + " " + file);
            int status = r.statusCode();
            if (status >= 300 && status < 400 && redirects < MAX_REDIRECTS) {
                close(r);
                URI asked = url;
                URI target = URI.create(r.headers().firstValue("Location").orElseThrow(() -> new HubException(name.toString(), file,
                        "the Hub answered " + status + " without a Location header for " + asked)));
                url = url.resolve(target);
                continue;
            }
            break;
        }
        int status = r.statusCode();
        boolean append;
        if (status == 206) {
            long start = contentRangeStart(r.headers());
            if (start != offset) {
                close(r);
                throw new HubException(name.toString(), file, "asked for bytes from " + offset + ", the server sent from " + start + " (" + url + ")");
            }
            append = true;
        } else if (status == 200) {
            append = false;
        } else if (status == 416 && offset == found.size()) {
            close(r);
            return;
        } else {
            close(r);
            throw refused(name, file, url, status, r.headers());
        }
        if (!append && offset > 0) {
            log.printf("locus: %s: the server ignored the range request, downloading all %d bytes again%n", file, found.size());
            progress.accept(-offset);
        }
        if (!append) {
            digest.restart();
        }
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = r.body();
                FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new Unavailable("the connection to " + url.getHost() + " was cut (" + e.getMessage() + ")", e);
                }
                if (n < 0) {
                    break;
                }
                try {
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                    digest.update(buffer, 0, n);
                } catch (IOException e) {
                    throw new HubException(partial.toString(), file, "cannot write the download: " + e.getMessage() + " ("
                            + sizeOf(partial) + " of " + found.size() + " bytes are kept there; free space and run again to resume)", e);
                }
                progress.accept(n);
            }
        } catch (IOException e) {
            throw HubCache.unwritable(partial, e);
        }
        long now = sizeOf(partial);
        if (now < found.size()) {
            throw new Unavailable("the server ended the body after " + now + " of " + found.size() + " bytes", null);
        }
    }

    private HttpRequest.Builder request(URI url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).header("User-Agent", "locus/0.1.0; java/" + Runtime.version().feature())
                .header("Accept-Encoding", "identity");
        if (env.token() != null && Objects.equals(url.getHost(), env.endpoint().getHost()) && url.getPort() == env.endpoint().getPort()) {
            b.header("Authorization", "Bearer " + env.token());
        }
        return b;
    }

    /** One request, retried when the Hub cannot be reached or answers 5xx. */
    private <T> HttpResponse<T> send(HttpRequest.Builder request, URI url, HttpResponse.BodyHandler<T> body, String what) {
        String failure = null;
        Throwable cause = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                log.printf("locus: %s: %s; trying again (%d of %d)%n", what, failure, attempt, ATTEMPTS);
                pause();
            }
            try {
                HttpResponse<T> r = client.send(request.build(), body);
                if (r.statusCode() < 500) {
                    return r;
                }
                close(r);
                failure = "the Hub answered " + r.statusCode() + " for " + url;
                cause = null;
            } catch (IOException e) {
                failure = "cannot reach " + url.getScheme() + "://" + url.getAuthority() + " (" + describe(e) + ")";
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(what, "download", "interrupted", e);
            }
        }
        throw new Unavailable(failure, cause);
    }

    private static String describe(IOException e) {
        String kind = e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }

    /** 401, 403, 404 and the rest of 4xx, named as huggingface_hub's hf_raise_for_status names them. */
    private HubException refused(HubName name, String file, URI url, int status, HttpHeaders h) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String page = env.endpoint() + "/" + name.repoId();
        String reason = switch (code) {
            case "GatedRepo" -> "is gated (" + status + "): accept its licence on " + page + " and set HF_TOKEN to a token of that account";
            case "RepoNotFound" -> "no such repository on " + env.endpoint() + " (" + status + "), or it is private or gated and "
                    + (env.token() == null ? "no token is set (set HF_TOKEN)" : "the token set cannot see it");
            case "RevisionNotFound" -> "no revision \"" + name.revision() + "\" (404): a branch, tag or commit of " + page;
            case "EntryNotFound" -> "no file " + file + " at revision " + name.revision() + " (404)";
            default -> switch (status) {
                case 401, 403 -> "refused (" + status + "): a gated or private model needs its licence accepted on " + page
                        + " and HF_TOKEN set to a token of that account" + (env.token() == null ? " (no token is set)" : "");
                case 404 -> "not found (404) at " + url;
                default -> "the Hub answered " + status + " for " + url;
            };
        };
        return new HubException(name.toString(), file, reason);
    }

    private static long contentRangeStart(HttpHeaders h) {
        String range = h.firstValue("Content-Range").orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes (\\d+)-").matcher(range);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new HubException(file.toString(), "cache", "cannot read the Hub cache: " + e.getMessage(), e);
        }
    }

    private static void close(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the response is being thrown away
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Python's urllib.parse.quote: unreserved characters kept, "/" kept for a file path, all else percent-encoded. */
    static String quote(String text, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_.-~".indexOf(c) >= 0 || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
