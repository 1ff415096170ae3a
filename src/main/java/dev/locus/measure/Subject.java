package dev.locus.measure;

import java.nio.file.Path;

/** The inputs a measurement is a function of: a base/tuned pair, the preference pairs and the expectations file. */
public record Subject(String name, Path base, Path tuned, Path pairs, Path expectationsFile) {}
