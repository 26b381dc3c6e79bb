package dev.pretext.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions of Pretext and its engine, as built. */
public final class Versions {

  private static final Properties PROPERTIES = load();

  private Versions() {}

  public static String pretext() {
    return PROPERTIES.getProperty("pretext.version");
  }

  public static String dl4j() {
    return PROPERTIES.getProperty("dl4j.version");
  }

  private static Properties load() {
    try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
