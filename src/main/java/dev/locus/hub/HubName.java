package dev.locus.hub;

import java.util.regex.Pattern;

/**
 * A model repository on the Hugging Face Hub at a revision: {@code ORG/NAME[@REVISION]}, the
 * revision a branch, a tag or a commit ({@value #DEFAULT_REVISION} when none is given).
 *
 * @param repoId {@code ORG/NAME}, as the Hub spells it
 * @param revision the branch, tag or 40-hex commit asked for
 */
public record HubName(String repoId, String revision) {
    public static final String DEFAULT_REVISION = "main";

    /** huggingface_hub's REPO_ID_REGEX with the organisation required, as a checkpoint always has one. */
    private static final Pattern REPO_ID = Pattern.compile("[\\w.-]{1,96}/[\\w.-]{1,96}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern REVISION = Pattern.compile("[\\w.\\-/]+");

    public HubName {
        if (!isRepoId(repoId)) {
            throw new IllegalArgumentException("not a Hub repo id (ORG/NAME): " + repoId);
        }
        if (!REVISION.matcher(revision).matches() || revision.contains("..") || revision.startsWith("/") || revision.endsWith("/")) {
            throw new IllegalArgumentException("not a revision (branch, tag or commit): " + revision);
        }
    }

    /**
     * The name the text spells, or null when it is not {@code ORG/NAME[@REVISION]}: a path with
     * more or fewer than one slash, a leading dot or slash, or characters a repo id cannot hold.
     */
    public static HubName parseOrNull(String text) {
        int at = text.indexOf('@');
        String repo = at < 0 ? text : text.substring(0, at);
        String revision = at < 0 ? DEFAULT_REVISION : text.substring(at + 1);
        if (!isRepoId(repo) || revision.isEmpty() || !REVISION.matcher(revision).matches() || revision.contains("..")
                || revision.startsWith("/") || revision.endsWith("/")) {
            return null;
        }
        return new HubName(repo, revision);
    }

    /** huggingface_hub's validate_repo_id: no "--" or ".." anywhere, no "." or "-" at either end of a part, no ".git". */
    private static boolean isRepoId(String id) {
        if (id == null || !REPO_ID.matcher(id).matches() || id.contains("--") || id.contains("..") || id.endsWith(".git")) {
            return false;
        }
        for (String part : id.split("/")) {
            if (part.startsWith(".") || part.startsWith("-") || part.endsWith(".") || part.endsWith("-")) {
                return false;
            }
        }
        return true;
    }

    /** True when the revision is a full commit hash, which never moves. */
    public boolean pinned() {
        return isCommit(revision);
    }

    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** The same repository at {@code commit}. */
    public HubName at(String commit) {
        return new HubName(repoId, commit);
    }

    /** The cache's folder for the repository: {@code models--ORG--NAME}, as huggingface_hub's repo_folder_name. */
    public String folderName() {
        return "models--" + repoId.replace("/", "--");
    }

    @Override
    public String toString() {
        return repoId + "@" + revision;
    }
}
