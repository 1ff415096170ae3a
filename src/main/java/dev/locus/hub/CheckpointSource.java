package dev.locus.hub;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a checkpoint argument points: a folder, or a model on the Hub by {@code ORG/NAME[@REVISION]}.
 * A folder that exists wins, so {@code models/llama} beside you is read as the folder it is; text
 * that is not a folder and reads as ORG/NAME[@REVISION] names the Hub; anything else stays a
 * folder, refused as one when the checkpoint is opened.
 */
public sealed interface CheckpointSource permits CheckpointSource.Folder, CheckpointSource.Hub {

    /** A checkpoint found: its folder, and where it came from when the Hub named it (else null). */
    record Located(Path dir, HubOrigin origin) {
        /** The argument that names these same bytes again: the folder, or ORG/NAME@COMMIT. */
        public String pinned() {
            return origin == null ? dir.toString() : origin.pinned();
        }

        /** The provenance entries naming the Hub repository, revision and commit for {@code role}; none for a folder. */
        public java.util.SortedMap<String, String> provenance(String role) {
            return origin == null ? new java.util.TreeMap<>() : origin.provenance(role);
        }
    }

    record Folder(Path dir) implements CheckpointSource {
        @Override
        public Located locate(HubEnvironment env, PrintStream log) {
            return new Located(dir, null);
        }

        @Override
        public String toString() {
            return dir.toString();
        }
    }

    record Hub(HubName name) implements CheckpointSource {
        @Override
        public Located locate(HubEnvironment env, PrintStream log) {
            HubOrigin.Located found = HubCheckpoints.fetch(name, env, log);
            log.printf("locus: %s is commit %s, %s%n", name, found.origin().commit(), found.dir());
            return new Located(found.dir(), found.origin());
        }

        @Override
        public String toString() {
            return name.toString();
        }
    }

    /** The folder, or the Hub checkpoint downloaded into the cache as needed. */
    Located locate(HubEnvironment env, PrintStream log);

    static CheckpointSource parse(String text) {
        Path asFolder = Path.of(text);
        if (Files.isDirectory(asFolder)) {
            return new Folder(asFolder);
        }
        HubName name = HubName.parseOrNull(text);
        return name == null ? new Folder(asFolder) : new Hub(name);
    }
}
