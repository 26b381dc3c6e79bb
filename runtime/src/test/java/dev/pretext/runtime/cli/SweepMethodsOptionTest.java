package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --methods} splits at commas, except inside a sweep point's name. */
class SweepMethodsOptionTest {

  @Test
  void theCommasOfAPointsNameAreKept() {
    assertThat(RunCommand.joinSweepPoints(List.of("b[x=1", "y=2]", "c", "d[z=3]")))
        .containsExactly("b[x=1,y=2]", "c", "d[z=3]");
  }
}
