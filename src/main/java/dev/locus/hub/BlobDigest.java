package dev.locus.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A downloaded file checked against the etag the Hub named it by, before it goes into the cache:
 * an LFS file's etag is the sha256 of its bytes, a small file's is its git blob id (the sha1 of
 * {@code "blob " + length + "\0"} and the bytes). huggingface_hub checks only the size.
 */
final class BlobDigest {
    private BlobDigest() {}

    static void verify(HubName name, String file, String etag, Path partial) {
        String algorithm = switch (etag.length()) {
            case 64 -> "SHA-256";
            case 40 -> "SHA-1";
            default -> null;
        };
        if (algorithm == null || !etag.matches("[0-9a-f]+")) {
            throw new HubException(name.toString(), file, "the Hub named it by etag \"" + etag
                    + "\", neither a sha256 nor a git blob id: locus cannot verify the bytes it would use");
        }
        String actual = digest(algorithm, partial);
        if (!actual.equals(etag)) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                throw HubCache.unwritable(partial, e);
            }
            throw new HubException(name.toString(), file, "the bytes downloaded have " + (algorithm.equals("SHA-256") ? "sha256 " : "git blob id ")
                    + actual + ", not the " + etag + " the Hub named them by: deleted, nothing was cached; run again, and if it "
                    + "repeats, a proxy or mirror (HF_ENDPOINT) is serving other bytes");
        }
    }

    private static String digest(String algorithm, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            if (algorithm.equals("SHA-1")) {
                md.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
            }
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new HubException(file.toString(), "cache", "cannot read the download back: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }
}
