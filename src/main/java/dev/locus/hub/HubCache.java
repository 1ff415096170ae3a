package dev.locus.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Hub cache folder as huggingface_hub v0.24.6 lays it out ({@code file_download.py}), so either
 * tool reads what the other wrote:
 * <pre>
 * models--ORG--NAME/blobs/ETAG                   a file's bytes, named by its etag
 * models--ORG--NAME/blobs/ETAG.incomplete        a download under way or cut, resumed from its length
 * models--ORG--NAME/snapshots/COMMIT/FILE        a relative symlink to its blob
 * models--ORG--NAME/refs/REVISION                the commit a branch or tag resolved to
 * models--ORG--NAME/.no_exist/COMMIT/FILE        an empty file: FILE is not in the repo at COMMIT
 * .locks/models--ORG--NAME/ETAG.lock             held (flock) by whoever downloads ETAG
 * </pre>
 * A file under snapshots is only ever a link to a blob that was complete and verified.
 */
final class HubCache {
    private final Path root;

    HubCache(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path repo(HubName name) {
        return root.resolve(name.folderName());
    }

    Path snapshot(HubName name, String commit) {
        return repo(name).resolve("snapshots").resolve(commit);
    }

    /** A file of the snapshot, present only when its blob is (a link that resolves). */
    Optional<Path> file(HubName name, String commit, String file) {
        Path pointer = snapshot(name, commit).resolve(file);
        return Files.isRegularFile(pointer) ? Optional.of(pointer) : Optional.empty();
    }

    Path blob(HubName name, String etag) {
        return repo(name).resolve("blobs").resolve(etag);
    }

    Path incomplete(HubName name, String etag) {
        return repo(name).resolve("blobs").resolve(etag + ".incomplete");
    }

    Path lock(HubName name, String etag) {
        return root.resolve(".locks").resolve(name.folderName()).resolve(etag + ".lock");
    }

    /** The commit {@code refs/REVISION} holds, if the revision was resolved before. */
    Optional<String> ref(HubName name) {
        Path ref = repo(name).resolve("refs").resolve(name.revision());
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        String commit = read(ref).trim();
        if (!HubName.isCommit(commit)) {
            throw new HubException(ref.toString(), "refs/" + name.revision(), "holds \"" + commit + "\", not a commit hash: "
                    + "the cache is damaged; delete this file and run again online");
        }
        return Optional.of(commit);
    }

    /** Records that the revision resolved to {@code commit}, as huggingface_hub does (nothing for a commit itself). */
    void writeRef(HubName name, String commit) {
        if (name.revision().equals(commit)) {
            return;
        }
        Path ref = repo(name).resolve("refs").resolve(name.revision());
        if (ref(name).filter(commit::equals).isPresent()) {
            return;
        }
        try {
            Files.createDirectories(ref.getParent());
            Path partial = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
            Files.writeString(partial, commit, StandardCharsets.UTF_8);
            Files.move(partial, ref, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw unwritable(ref, e);
        }
    }

    boolean knownAbsent(HubName name, String commit, String file) {
        return Files.exists(repo(name).resolve(".no_exist").resolve(commit).resolve(file));
    }

    void markAbsent(HubName name, String commit, String file) {
        Path marker = repo(name).resolve(".no_exist").resolve(commit).resolve(file);
        try {
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (FileAlreadyExistsException raced) {
            // another process marked it at the same moment: the same fact
        } catch (IOException e) {
            throw unwritable(marker, e);
        }
    }

    /**
     * Points {@code snapshots/COMMIT/FILE} at its blob with a relative link, as huggingface_hub's
     * _create_symlink does, so the cache can be moved as a whole.
     */
    void link(HubName name, String commit, String file, String etag) {
        Path pointer = snapshot(name, commit).resolve(file);
        Path blob = blob(name, etag);
        try {
            Files.createDirectories(pointer.getParent());
            Path target = pointer.getParent().relativize(blob);
            try {
                Files.createSymbolicLink(pointer, target);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isSymbolicLink(pointer) || !pointer.toRealPath().equals(blob.toRealPath())) {
                    Files.delete(pointer);
                    Files.createSymbolicLink(pointer, target);
                }
            }
        } catch (IOException e) {
            throw unwritable(pointer, e);
        }
    }

    static HubException unwritable(Path file, IOException e) {
        return new HubException(file.toString(), "cache", "cannot write the Hub cache: " + e.getMessage()
                + " (set HF_HUB_CACHE to a folder you can write, or free space)", e);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HubException(file.toString(), "cache", "cannot read the Hub cache: " + e.getMessage(), e);
        }
    }
}
