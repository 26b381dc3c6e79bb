package dev.pretext.toolkit.visual;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageGridTest {

  @TempDir Path dir;

  @Test
  void drawsGrayAndRgbRowsSideBySide() throws Exception {
    INDArray gray = Nd4j.zeros(DataType.FLOAT, 2, 1, 2, 3);
    gray.putScalar(new long[] {1, 0, 1, 2}, 0.5f);
    INDArray rgb = Nd4j.zeros(DataType.FLOAT, 2, 3, 2, 3);
    rgb.putScalar(new long[] {0, 0, 0, 0}, 1f);  // image 0, pixel (0, 0): red
    rgb.putScalar(new long[] {1, 2, 1, 1}, 2f);  // image 1, pixel (1, 1): blue, clamped to 1
    Path file = ImageGrid.write(dir.resolve("sub/grid.png"), List.of(gray, rgb));

    BufferedImage png = ImageIO.read(file.toFile());
    assertThat(png.getWidth()).isEqualTo(ImageGrid.width(2, 3)).isEqualTo(2 + 2 * (3 * 3 + 2));
    assertThat(png.getHeight()).isEqualTo(ImageGrid.height(2, 2)).isEqualTo(2 + 2 * (2 * 3 + 2));
    int cell = 3 * ImageGrid.SCALE + ImageGrid.GAP;
    int rowHeight = 2 * ImageGrid.SCALE + ImageGrid.GAP;
    assertThat(png.getRGB(0, 0) & 0xffffff).as("background").isEqualTo(0x808080);
    assertThat(png.getRGB(2 + cell + 2 * 3, 2 + 3) & 0xffffff).as("gray 0.5").isEqualTo(0x808080);
    assertThat(png.getRGB(2, 2) & 0xffffff).as("gray 0").isEqualTo(0);
    assertThat(png.getRGB(2, 2 + rowHeight) & 0xffffff).as("red").isEqualTo(0xff0000);
    assertThat(png.getRGB(2 + cell + 3 + 2, 2 + rowHeight + 3 + 2) & 0xffffff).as("blue").isEqualTo(0x0000ff);
  }

  @Test
  void rejectsOtherChannelCountsAndMismatchedRows() {
    assertThatThrownBy(() -> ImageGrid.write(dir.resolve("a.png"), List.of(Nd4j.zeros(1, 2, 4, 4))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 or 3");
    assertThatThrownBy(() -> ImageGrid.write(dir.resolve("b.png"),
        List.of(Nd4j.zeros(2, 1, 4, 4), Nd4j.zeros(3, 3, 4, 4))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
  }
}
