package dev.locus.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which Hub bytes a checkpoint is: the repository, the revision asked for and the commit it
 * resolved to. Every result records all three beside the files' sha256.
 */
public record HubOrigin(String repoId, String revision, String commit) {
    /** A Hub checkpoint found: its snapshot folder and the files of it a run reads. */
    public record Located(Path dir, HubOrigin origin, List<String> files) {}

    /** The name that gives these bytes again, whatever the branch does later: {@code ORG/NAME@COMMIT}. */
    public String pinned() {
        return repoId + "@" + commit;
    }

    /** Provenance entries for a checkpoint of {@code role}: {@code role_hub_repo}, {@code _revision}, {@code _commit}. */
    public SortedMap<String, String> provenance(String role) {
        return new TreeMap<>(Map.of(role + "_hub_repo", repoId, role + "_hub_revision", revision, role + "_hub_commit", commit));
    }
}
