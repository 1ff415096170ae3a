package dev.locus.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A checkpoint named on the Hub, as a folder: the snapshot of the resolved commit in the Hub cache,
 * holding the files a run reads and no others. What the cache holds for that commit is used without
 * a request; what it lacks is downloaded, verified and only then linked into the snapshot.
 */
public final class HubCheckpoints {
    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    static final String SINGLE_WEIGHTS = "model.safetensors";
    static final String WEIGHTS_INDEX = "model.safetensors.index.json";
    /** Read when present, as transformers reads them; a repo may lack them. */
    static final List<String> OPTIONAL = List.of("tokenizer_config.json", "generation_config.json");

    /** A download this long gets a progress bar; a shorter one a line when done. */
    static final long PROGRESS_BAR_BYTES = 16_000_000;

    private final HubEnvironment env;
    private final HubCache cache;
    private final PrintStream log;
    private HubHttp http;

    private HubCheckpoints(HubEnvironment env, PrintStream log) {
        this.env = env;
        this.cache = new HubCache(env.cache());
        this.log = log;
    }

    /** The snapshot folder of {@code name}, with every file a run needs; downloads what the cache lacks. */
    public static HubOrigin.Located fetch(HubName name, HubEnvironment env, PrintStream log) {
        return new HubCheckpoints(env, log).fetch(name);
    }

    private HubOrigin.Located fetch(HubName name) {
        if (env.offline()) {
            String commit = name.pinned() ? name.revision() : cache.ref(name).orElseThrow(() -> new HubException(name.toString(),
                    "HF_HUB_OFFLINE", "offline, and the cache " + cache.root() + " has never resolved revision \"" + name.revision()
                            + "\" of " + name.repoId() + " (no " + name.folderName() + "/refs/" + name.revision()
                            + "): run once online, or name a commit that is cached"));
            return located(name, commit, fromCache(name, commit, "HF_HUB_OFFLINE"));
        }
        if (name.pinned()) {
            Optional<List<String>> cached = cachedFiles(name, name.revision());
            if (cached.isPresent()) {
                return located(name, name.revision(), cached.get());
            }
        }
        HubHttp.Found config;
        try {
            config = found(name, CONFIG, http().head(name, CONFIG));
        } catch (HubHttp.Unavailable e) {
            return fromCacheInstead(name, e);
        }
        String commit = config.commit();
        cache.writeRef(name, commit);
        HubName pinned = name.at(commit);
        List<String> files = new ArrayList<>();
        files.add(ensure(pinned, CONFIG, config));
        files.add(ensure(pinned, TOKENIZER, null));
        for (String optional : OPTIONAL) {
            ensureIfPresent(pinned, optional).ifPresent(files::add);
        }
        Optional<String> single = ensureIfPresent(pinned, SINGLE_WEIGHTS);
        if (single.isPresent()) {
            files.add(single.get());
        } else {
            files.add(ensure(pinned, WEIGHTS_INDEX, null));
            for (String shard : shards(pinned, cache.file(pinned, commit, WEIGHTS_INDEX).orElseThrow())) {
                files.add(ensure(pinned, shard, null));
            }
        }
        return located(name, commit, files);
    }

    /** The Hub could not answer: the commit this revision last resolved to, if the cache holds all of it, as huggingface_hub falls back. */
    private HubOrigin.Located fromCacheInstead(HubName name, HubHttp.Unavailable e) {
        Optional<String> commit = name.pinned() ? Optional.of(name.revision()) : cache.ref(name);
        Optional<List<String>> cached = commit.flatMap(c -> cachedFiles(name, c));
        if (cached.isEmpty()) {
            throw new HubException(name.toString(), CONFIG, e.getMessage() + "; the cache " + cache.root() + " does not hold "
                    + (commit.isEmpty() ? "this revision" : "all of commit " + commit.get()) + " to use instead", e);
        }
        log.printf("locus: %s: %s; using commit %s from the cache (refs/%s), as huggingface_hub does%n", name, e.getMessage(),
                commit.get(), name.revision());
        return located(name, commit.get(), cached.get());
    }

    private HubOrigin.Located located(HubName name, String commit, List<String> files) {
        return new HubOrigin.Located(cache.snapshot(name, commit), new HubOrigin(name.repoId(), name.revision(), commit), List.copyOf(files));
    }

    /** Every file a run needs, from the cache alone, or a line naming the first one missing. */
    private List<String> fromCache(HubName name, String commit, String why) {
        Optional<List<String>> files = cachedFiles(name, commit);
        if (files.isPresent()) {
            return files.get();
        }
        String missing = firstMissing(name, commit);
        throw new HubException(name.toString(), why, "offline, and commit " + commit + " in " + cache.repo(name) + " lacks " + missing
                + ": run once online (or with huggingface_hub) to fetch it");
    }

    /** The files a run needs, if the snapshot holds all of them (optional ones present or marked absent). */
    private Optional<List<String>> cachedFiles(HubName name, String commit) {
        if (firstMissing(name, commit) != null) {
            return Optional.empty();
        }
        List<String> files = new ArrayList<>(List.of(CONFIG, TOKENIZER));
        for (String optional : OPTIONAL) {
            cache.file(name, commit, optional).ifPresent(f -> files.add(optional));
        }
        Optional<Path> index = cache.file(name, commit, WEIGHTS_INDEX);
        if (cache.file(name, commit, SINGLE_WEIGHTS).isPresent()) {
            files.add(SINGLE_WEIGHTS);
        } else {
            files.add(WEIGHTS_INDEX);
            files.addAll(shards(name, index.orElseThrow()));
        }
        return Optional.of(files);
    }

    /** The first file a run needs that the snapshot lacks, or null. Optional files not marked absent count as lacking only online. */
    private String firstMissing(HubName name, String commit) {
        for (String required : List.of(CONFIG, TOKENIZER)) {
            if (cache.file(name, commit, required).isEmpty()) {
                return required;
            }
        }
        if (!env.offline()) {
            for (String optional : OPTIONAL) {
                if (cache.file(name, commit, optional).isEmpty() && !cache.knownAbsent(name, commit, optional)) {
                    return optional;
                }
            }
        }
        if (cache.file(name, commit, SINGLE_WEIGHTS).isPresent()) {
            return null;
        }
        Optional<Path> index = cache.file(name, commit, WEIGHTS_INDEX);
        if (index.isEmpty()) {
            return SINGLE_WEIGHTS + " (or " + WEIGHTS_INDEX + ")";
        }
        for (String shard : shards(name, index.get())) {
            if (cache.file(name, commit, shard).isEmpty()) {
                return shard;
            }
        }
        return null;
    }

    private static List<String> shards(HubName name, Path index) {
        JsonNode map;
        try {
            map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new HubException(index.toString(), "(json)", "not valid JSON: " + e.getMessage(), e);
        }
        if (!map.isObject() || map.size() == 0) {
            throw new HubException(index.toString(), "weight_map", "missing or empty");
        }
        TreeSet<String> shards = new TreeSet<>();
        map.fields().forEachRemaining(f -> shards.add(f.getValue().asText()));
        for (String shard : shards) {
            if (shard.isEmpty() || shard.startsWith("/") || shard.contains("..") || shard.contains("\\")) {
                throw new HubException(index.toString(), "weight_map", "names shard \"" + shard + "\" outside the repository of " + name);
            }
        }
        return List.copyOf(shards);
    }

    /** The file at the pinned commit, downloaded if the snapshot lacks it; its name. */
    private String ensure(HubName pinned, String file, HubHttp.Found known) {
        String commit = pinned.revision();
        if (cache.file(pinned, commit, file).isPresent()) {
            return file;
        }
        HubHttp.Found found = known != null ? known : found(pinned, file, head(pinned, file));
        download(pinned, commit, file, found);
        return file;
    }

    private Optional<String> ensureIfPresent(HubName pinned, String file) {
        String commit = pinned.revision();
        if (cache.file(pinned, commit, file).isPresent()) {
            return Optional.of(file);
        }
        if (cache.knownAbsent(pinned, commit, file)) {
            return Optional.empty();
        }
        HubHttp.Head head = head(pinned, file);
        if (head instanceof HubHttp.Absent) {
            cache.markAbsent(pinned, commit, file);
            return Optional.empty();
        }
        download(pinned, commit, file, (HubHttp.Found) head);
        return Optional.of(file);
    }

    private HubHttp.Head head(HubName pinned, String file) {
        try {
            return http().head(pinned, file);
        } catch (HubHttp.Unavailable e) {
            throw new HubException(pinned.toString(), file, e.getMessage(), e);
        }
    }

    private static HubHttp.Found found(HubName name, String file, HubHttp.Head head) {
        if (head instanceof HubHttp.Found f) {
            return f;
        }
        throw new HubException(name.toString(), file, "no file " + file + " in " + name.repoId() + " at " + name.revision()
                + " (404): locus reads a Hugging Face layout (config.json, tokenizer.json, model.safetensors or its index)");
    }

    /**
     * Downloads one blob under its lock into {@code ETAG.incomplete} (resumed from its length),
     * verifies it against its etag, moves it into place, links the snapshot to it.
     */
    private void download(HubName pinned, String commit, String file, HubHttp.Found found) {
        if (!found.commit().equals(commit)) {
            throw new HubException(pinned.toString(), file, "the Hub answered for commit " + found.commit() + " when asked for " + commit);
        }
        Path blob = cache.blob(pinned, found.etag());
        try (BlobLock lock = BlobLock.acquire(cache.lock(pinned, found.etag()), pinned.repoId() + "/" + file, log)) {
            if (!Files.isRegularFile(blob)) {
                Path partial = cache.incomplete(pinned, found.etag());
                createParent(partial);
                long have = HubHttp.sizeOf(partial);
                requireSpace(pinned, file, partial, found.size() - have);
                if (have > 0) {
                    log.printf("locus: %s: resuming %s at byte %d of %d%n", pinned.repoId(), file, have, found.size());
                }
                BlobDigest digest = BlobDigest.resuming(pinned, file, found.etag(), found.size(), partial);
                if (found.size() - have < PROGRESS_BAR_BYTES) {
                    http().download(pinned, file, found, partial, digest, bytes -> {});
                    log.printf("locus: downloaded %s %s (%d bytes)%n", pinned.repoId(), file, found.size());
                } else {
                    try (Progress progress = Progress.bytes("download " + file, found.size(), have)) {
                        http().download(pinned, file, found, partial, digest, progress::advance);
                    }
                }
                digest.verify(pinned, file, partial);
                moveIntoPlace(partial, blob);
            }
            cache.link(pinned, commit, file, found.etag());
        }
    }

    private static void requireSpace(HubName name, String file, Path partial, long needed) {
        try {
            long free = Files.getFileStore(partial.getParent()).getUsableSpace();
            if (free < needed) {
                throw new HubException(partial.toString(), file, String.format(java.util.Locale.ROOT,
                        "%s needs %.2f GB more and %s has %.2f GB free: free space or set HF_HUB_CACHE elsewhere", name, needed / 1e9,
                        partial.getParent(), free / 1e9));
            }
        } catch (IOException e) {
            throw HubCache.unwritable(partial, e);
        }
    }

    private static void createParent(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw HubCache.unwritable(file, e);
        }
    }

    private static void moveIntoPlace(Path partial, Path blob) {
        try {
            try {
                Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, blob, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw HubCache.unwritable(blob, e);
        }
    }

    private HubHttp http() {
        if (http == null) {
            http = new HubHttp(env, log);
        }
        return http;
    }
}
