package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();

  /** cats: 5 reddish PNGs; dogs: 5 bluish JPEGs (one gray PNG among them), all 8 x 8. */
  private Path labeledFolder() throws IOException {
    Path root = dir.resolve("pets");
    for (int i = 0; i < 5; i++) {
      ImageFiles.flat(root.resolve("cats/cat" + i + ".png"), 8, 8, 0xC00000 + i);
      if (i == 2) {
        ImageFiles.gray(root.resolve("dogs/dog" + i + ".png"), 8, 8, 128);
      } else {
        ImageFiles.flat(root.resolve("dogs/dog" + i + ".jpg"), 8, 8, 0x0000C0);
      }
    }
    return root;
  }

  @Test
  void labeledFolderHasSortedClassesAndASeededStratifiedSplit() throws IOException {
    Path root = labeledFolder();
    Files.writeString(root.resolve("cats/notes.txt"), "not an image");

    FashionMnist.Split split = ImageFolder.loadLabeled(root, 3, 0, 0.2, 0, 0, 7, warnings::add);

    assertThat(split.train().classNames()).containsExactly("cats", "dogs");
    assertThat(split.train().shape()).hasToString("3x8x8");
    assertThat(split.train().size()).isEqualTo(8);
    assertThat(split.test().size()).isEqualTo(2);
    assertThat(split.test().labels()).containsExactlyInAnyOrder(0, 1);
    assertThat(warnings).anyMatch(w -> w.contains("ignored") && w.contains("1 .txt"));
    FashionMnist.Split again = ImageFolder.loadLabeled(root, 3, 0, 0.2, 0, 0, 7, w -> {});
    assertThat(again.test().images()).isEqualTo(split.test().images());
  }

  @Test
  void jpegDecodesAndGrayPngBecomesThreeEqualChannelsWithoutGammaShift() throws IOException {
    Path root = labeledFolder();

    FashionMnist.Split split = ImageFolder.loadLabeled(root, 3, 0, 0.2, 0, 0, 1, warnings::add);
    List<ImageSet> sets = List.of(split.train(), split.test());

    boolean sawGray = false;
    boolean sawJpeg = false;
    for (ImageSet set : sets) {
      for (int n = 0; n < set.size(); n++) {
        float r = set.images().getFloat(n, 0, 4, 4);
        float g = set.images().getFloat(n, 1, 4, 4);
        float b = set.images().getFloat(n, 2, 4, 4);
        if (r == g && g == b) {
          assertThat(r).isEqualTo(128 / 255f);
          sawGray = true;
        } else if (b > 0.6f) {
          // JPEG is lossy: a flat 0xC0 blue comes back within a few levels.
          assertThat(b).isCloseTo(0xC0 / 255f, within(0.03f));
          sawJpeg = true;
        }
      }
    }
    assertThat(sawGray).isTrue();
    assertThat(sawJpeg).isTrue();
  }

  @Test
  void oneChannelTurnsColourIntoLuma() throws IOException {
    Path root = dir.resolve("one");
    ImageFiles.flat(root.resolve("a/x.png"), 4, 4, 0xFF0000);
    ImageFiles.flat(root.resolve("a/y.png"), 4, 4, 0xFF0000);
    ImageFiles.flat(root.resolve("b/z.png"), 4, 4, 0x00FF00);
    ImageFiles.flat(root.resolve("b/w.png"), 4, 4, 0x00FF00);

    FashionMnist.Split split = ImageFolder.loadLabeled(root, 1, 0, 0.5, 0, 0, 1, warnings::add);

    assertThat(split.train().shape()).hasToString("1x4x4");
    for (ImageSet set : List.of(split.train(), split.test())) {
      for (int n = 0; n < set.size(); n++) {
        float expected = set.labels()[n] == 0 ? 0.299f : 0.587f;
        assertThat(set.images().getFloat(n, 0, 1, 1)).isCloseTo(expected, within(1e-6f));
      }
    }
  }

  @Test
  void corruptFileIsSkippedWithAWarningNamingIt() throws IOException {
    Path root = labeledFolder();
    Path bad = ImageFiles.corrupt(root.resolve("cats/broken.png"));

    FashionMnist.Split split = ImageFolder.loadLabeled(root, 3, 0, 0.2, 0, 0, 7, warnings::add);

    assertThat(split.train().size() + split.test().size()).isEqualTo(10);
    assertThat(warnings).anyMatch(w -> w.startsWith("skipped " + bad));
    assertThat(warnings).anyMatch(w -> w.contains("skipped 1 of"));
  }

  @Test
  void folderWhereNothingDecodesFails() throws IOException {
    Path root = dir.resolve("broken");
    ImageFiles.corrupt(root.resolve("a.png"));
    ImageFiles.corrupt(root.resolve("b.jpg"));

    assertThatThrownBy(() -> ImageFolder.loadUnlabeled(root, 3, 0, 0, 0, 1, warnings::add))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(root.toString())
        .hasMessageContaining("none of the 2 images could be used")
        .hasMessageContaining("a.png");
  }

  @Test
  void emptyFolderAndFolderOfOtherFormatsNameThePath() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path webp = Files.createDirectories(dir.resolve("webp"));
    Files.write(webp.resolve("a.webp"), new byte[10]);
    Files.write(webp.resolve("b.svg"), new byte[10]);

    assertThatThrownBy(() -> ImageFolder.loadUnlabeled(empty, 3, 0, 0, 0, 1, warnings::add))
        .isInstanceOf(DatasetException.class)
        .hasMessage(empty + ": no PNG or JPEG images in this folder or below (it is empty)");
    assertThatThrownBy(() -> ImageFolder.loadUnlabeled(webp, 3, 0, 0, 0, 1, warnings::add))
        .hasMessageContaining(webp.toString())
        .hasMessageContaining("found only 1 .svg, 1 .webp");
    assertThatThrownBy(() -> ImageFolder.loadUnlabeled(dir.resolve("missing"), 3, 0, 0, 0, 1,
        warnings::add))
        .hasMessageContaining("missing: image folder does not exist");
  }

  @Test
  void labeledFolderWithoutClassFoldersFails() throws IOException {
    Path root = dir.resolve("flat");
    ImageFiles.flat(root.resolve("a.png"), 4, 4, 0);

    assertThatThrownBy(() -> ImageFolder.loadLabeled(root, 3, 0, 0.2, 0, 0, 1, warnings::add))
        .hasMessageContaining("labels = folders needs one subfolder per class");
  }

  @Test
  void differentSizesFailUnlessImageSizeResizes() throws IOException {
    Path root = dir.resolve("sizes");
    ImageFiles.flat(root.resolve("a.png"), 8, 8, 0x808080);
    ImageFiles.flat(root.resolve("b.png"), 16, 12, 0x808080);
    ImageFiles.flat(root.resolve("c.png"), 8, 8, 0x808080);

    assertThatThrownBy(() -> ImageFolder.loadUnlabeled(root, 3, 0, 0, 0, 1, warnings::add))
        .hasMessageContaining("b.png: is 16x12 but a.png is 8x8")
        .hasMessageContaining("image-size");

    PretrainingData resized = ImageFolder.loadUnlabeled(root, 3, 6, 1, 0, 1, warnings::add);
    assertThat(resized.train().shape()).hasToString("3x6x6");
    assertThat(resized.train().size()).isEqualTo(2);
    assertThat(resized.heldOut().size()).isEqualTo(1);
    assertThat(resized.train().images().meanNumber().doubleValue()).isCloseTo(128 / 255.0,
        within(1e-5));
  }

  @Test
  void trainAndTestSubfoldersGiveTheSplit() throws IOException {
    Path root = dir.resolve("split");
    ImageFiles.flat(root.resolve("train/a/1.png"), 4, 4, 0);
    ImageFiles.flat(root.resolve("train/b/1.png"), 4, 4, 0);
    ImageFiles.flat(root.resolve("train/b/2.png"), 4, 4, 0);
    ImageFiles.flat(root.resolve("test/b/1.png"), 4, 4, 0);

    FashionMnist.Split split = ImageFolder.loadLabeled(root, 3, 0, 0.2, 0, 0, 1, warnings::add);

    assertThat(split.train().labels()).containsExactly(0, 1, 1);
    assertThat(split.test().labels()).containsExactly(1);
    assertThat(split.test().classNames()).containsExactly("a", "b");
  }
}
