package dev.pretext.runtime;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/**
 * The components of {@link FakePlugins} as a plugin registered on the runtime tests' class path
 * ({@code src/test/resources/META-INF/services}), so that tests of the command line, which loads
 * classpath plugins itself, can run tiny suites — e.g. one whose loss turns NaN at a chosen step.
 * Its location is the test class folder: a classpath plugin without a jar.
 */
public final class FakeClasspathPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<Encoder>> encoders() {
    return List.of(FakePlugins.TINY, FakePlugins.TINY_CONV);
  }

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(FakePlugins.BRIGHTNESS, FakePlugins.GRAY_BRIGHTNESS);
  }
}
