package dev.pretext.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Who a plugin is and which SPI it needs, read from {@value #RESOURCE} in the plugin's jar before
 * any of its classes load.
 *
 * @param name unique plugin name, e.g. {@code rotation}
 * @param version the plugin's own version
 * @param apiVersion the SPI version it was built against, {@code MAJOR.MINOR}; it loads on a
 *     runtime with the same major and an equal or newer minor
 * @param description one line for {@code pretext plugins}
 */
public record PluginDescriptor(String name, String version, String apiVersion, String description) {

  /** Where the descriptor lives inside a plugin jar. */
  public static final String RESOURCE = "META-INF/pretext/plugin.properties";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern API_VERSION = Pattern.compile("\\d+\\.\\d+");

  public PluginDescriptor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(apiVersion, "api-version");
    description = description == null ? "" : description;
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "plugin name '" + name + "' must be lower-case letters, digits and '-'");
    }
    if (!API_VERSION.matcher(apiVersion).matches()) {
      throw new IllegalArgumentException(
          "api-version '" + apiVersion + "' must look like MAJOR.MINOR, e.g. 1.0");
    }
  }

  /** Reads a descriptor from properties {@code name}, {@code version}, {@code api-version}. */
  public static PluginDescriptor read(InputStream in) throws IOException {
    Properties p = new Properties();
    p.load(in);
    for (String key : new String[] {"name", "version", "api-version"}) {
      if (p.getProperty(key) == null || p.getProperty(key).isBlank()) {
        throw new IllegalArgumentException("descriptor lacks '" + key + "'");
      }
    }
    return new PluginDescriptor(
        p.getProperty("name").trim(),
        p.getProperty("version").trim(),
        p.getProperty("api-version").trim(),
        p.getProperty("description", "").trim());
  }

  /** Whether a runtime offering SPI version {@code runtimeApi} can load this plugin. */
  public boolean isCompatibleWith(String runtimeApi) {
    String[] need = apiVersion.split("\\.");
    String[] have = runtimeApi.split("\\.");
    return need[0].equals(have[0]) && Integer.parseInt(need[1]) <= Integer.parseInt(have[1]);
  }
}
