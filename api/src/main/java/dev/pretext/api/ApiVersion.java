package dev.pretext.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this SPI, {@code MAJOR.MINOR}, as plugins declare it in their descriptor. */
public final class ApiVersion {

  private ApiVersion() {}

  /** The SPI version of the {@code api} jar on the classpath. */
  public static String current() {
    try (InputStream in = ApiVersion.class.getResourceAsStream("api-version.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("api.version");
    } catch (IOException | NullPointerException e) {
      throw new UncheckedIOException(new IOException("api-version.properties missing from api jar"));
    }
  }
}
