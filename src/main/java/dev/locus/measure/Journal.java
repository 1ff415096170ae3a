package dev.locus.measure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import dev.locus.Sha256;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The finished units of a measurement (one pair in one phase, or the SVD), each appended as a JSON
 * line and forced to disk before the next unit starts, so a run killed at any moment resumes
 * without redoing them. The first line names the run's inputs; a journal of other inputs is not
 * resumed. A last line cut short by the kill is dropped. Doubles and floats survive the JSON round
 * trip bit for bit, so a resumed run ends with the numbers of an uninterrupted one.
 */
public final class Journal implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a journal's units are a function of: the plan's provenance (every input's sha256, the
     * settings, the locus build, the machine) and its protocol. A journal of another identity is
     * not resumed.
     */
    public static String identity(Plan plan) {
        try {
            return Sha256.ofText(JSON.writeValueAsString(plan.provenance()) + JSON.writeValueAsString(plan.protocol()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a plan that does not serialize", e);
        }
    }

    /** Keeps nothing: a measurement that is not resumable. */
    public static Journal none() {
        return new Journal(null, null, new HashMap<>());
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, JsonNode> done;

    private Journal(Path file, FileChannel channel, Map<String, JsonNode> done) {
        this.file = file;
        this.channel = channel;
        this.done = done;
    }

    /**
     * A new journal at {@code file} for a run of {@code identity}, or with {@code resume} the
     * existing one's finished units (refused when it was written for other inputs).
     */
    public static Journal open(Path file, String identity, boolean resume) {
        Map<String, JsonNode> done = new HashMap<>();
        try {
            if (resume && Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                long good = 0;
                int start = 0;
                int lineNumber = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] != '\n') {
                        continue;
                    }
                    String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                    lineNumber++;
                    JsonNode node;
                    try {
                        node = JSON.readTree(line);
                    } catch (JsonProcessingException e) {
                        break;
                    }
                    if (lineNumber == 1) {
                        String found = node.path("identity").asText();
                        if (!found.equals(identity)) {
                            throw new LocusException(file, "identity", "written for other inputs (" + found
                                    + "), not this run's (" + identity + "): start a new run folder");
                        }
                    } else {
                        done.put(node.get("unit").asText(), node.get("value"));
                    }
                    good = i + 1;
                    start = i + 1;
                }
                FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
                channel.truncate(good);
                channel.position(good);
                Journal journal = new Journal(file, channel, done);
                if (good == 0) {
                    journal.append(JSON.createObjectNode().put("identity", identity));
                }
                return journal;
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Journal journal = new Journal(file, channel, done);
            journal.append(JSON.createObjectNode().put("identity", identity));
            return journal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal " + file, e);
        }
    }

    /** A finished unit's value, or null. */
    public <T> T get(String unit, Class<T> type) {
        JsonNode value = done.get(unit);
        if (value == null) {
            return null;
        }
        try {
            return JSON.treeToValue(value, type);
        } catch (JsonProcessingException e) {
            throw new LocusException(file, unit, "unreadable journal entry: " + e.getOriginalMessage());
        }
    }

    public boolean has(String unit) {
        return done.containsKey(unit);
    }

    /** Records a finished unit: appended, flushed and forced to the device before this returns. */
    public synchronized void put(String unit, Object value) {
        JsonNode node = JSON.valueToTree(value);
        done.put(unit, node);
        if (channel != null) {
            ObjectNode line = JSON.createObjectNode().put("unit", unit);
            line.set("value", node);
            append(line);
        }
    }

    public int size() {
        return done.size();
    }

    private void append(ObjectNode line) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the journal " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
