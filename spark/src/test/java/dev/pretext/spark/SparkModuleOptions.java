package dev.pretext.spark;

import java.util.List;
import java.util.stream.Stream;

/** The JVM options Spark needs on Java 17, as the launcher (bin/pretext) and Spark's own scripts give them. */
final class SparkModuleOptions {

  static final List<String> OPENS = Stream.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io",
          "java.net", "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
          "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")
      .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED").toList();

  private SparkModuleOptions() {}
}
