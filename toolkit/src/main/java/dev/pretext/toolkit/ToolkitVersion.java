package dev.pretext.toolkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this toolkit, {@code MAJOR.MINOR}, as plugins declare it in their descriptor's
 * {@code toolkit-version}: a plugin loads on a runtime providing the same major and an equal or
 * newer minor.
 */
public final class ToolkitVersion {

  private ToolkitVersion() {}

  /** The version of the toolkit jar on the classpath. */
  public static String current() {
    try (InputStream in = ToolkitVersion.class.getResourceAsStream("toolkit-version.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("toolkit.version");
    } catch (IOException | NullPointerException e) {
      throw new UncheckedIOException(
          new IOException("toolkit-version.properties missing from the toolkit jar"));
    }
  }
}
