package dev.pretext.runtime.plugins;

import java.util.Objects;

/**
 * Why a plugin was disabled: one line naming what it concerns and the reason. A broken plugin gets
 * exactly one problem; the other plugins still load.
 *
 * @param location the jar (or plugin folder, or class folder on the classpath) the problem
 *     concerns, as an absolute path
 * @param reason one line, e.g. {@code service file names class x.Y which is missing}
 * @param cause the exception behind the reason, for a stack trace on request; {@code null} when the
 *     reason is the whole story
 */
public record PluginProblem(String location, String reason, Throwable cause) {

  public PluginProblem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(reason, "reason");
  }

  /** A problem with no exception behind it. */
  public PluginProblem(String location, String reason) {
    this(location, reason, null);
  }

  /** {@code location: reason}, the line shown to users. */
  public String message() {
    return location + ": " + reason;
  }
}
