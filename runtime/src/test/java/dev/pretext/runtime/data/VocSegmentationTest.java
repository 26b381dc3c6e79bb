package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pretext.runtime.data.VocSegmentation.Settings;
import dev.pretext.runtime.data.VocSegmentation.Split;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small VOC-layout folder written into a temporary folder: real photographs (the Debian package
 * {@code mate-backgrounds}, shrunk to under 100 pixels a side so the test is fast) with masks
 * drawn here as palette PNGs — a person rectangle (class 15) framed by ignore pixels (255) and a
 * cat ellipse (class 8). Skipped where the package is not installed.
 */
class VocSegmentationTest {

  static final Path NATURE = Path.of("/usr/share/backgrounds/mate/nature");
  static final int PERSON = 15;
  static final int CAT = 8;
  static final int IGNORE = 255;

  /** Photos shrunk once for all tests, by name. */
  private static final Map<String, BufferedImage> PHOTOS = new LinkedHashMap<>();

  @TempDir Path temp;

  /** Per id: the photo, its size, and the drawn mask (row-major labels). */
  private record Sample(String photo, int width, int height) {}

  /** train.txt: six ids of three shapes (landscape 4:3, portrait 3:4, landscape 5:3.75). */
  private static final Map<String, Sample> TRAIN = new LinkedHashMap<>();
  /** val.txt: four ids. */
  private static final Map<String, Sample> VAL = new LinkedHashMap<>();

  static {
    TRAIN.put("2008_000001", new Sample("GreenMeadow", 96, 72));
    TRAIN.put("2008_000002", new Sample("FreshFlower", 72, 96));
    TRAIN.put("2008_000003", new Sample("Dune", 80, 60));
    TRAIN.put("2008_000004", new Sample("Aqua", 96, 72));
    TRAIN.put("2008_000005", new Sample("Garden", 90, 60));
    TRAIN.put("2008_000006", new Sample("LadyBird", 96, 60));
    VAL.put("2009_000001", new Sample("Aqua", 80, 60));
    VAL.put("2009_000002", new Sample("YellowFlower", 72, 96));
    VAL.put("2009_000003", new Sample("GreenMeadow", 60, 80));
    VAL.put("2009_000004", new Sample("Dune", 96, 72));
  }

  @BeforeAll
  static void shrinkPhotos() throws IOException {
    if (!Files.isDirectory(NATURE)) {
      return;
    }
    for (String name : List.of("GreenMeadow", "FreshFlower", "Dune", "Aqua", "Garden", "LadyBird",
        "YellowFlower")) {
      PHOTOS.put(name, decodeSubsampled(NATURE.resolve(name + ".jpg"), 8));
    }
  }

  // ---------------------------------------------------------------- sizes, classes, geometry

  @Test
  void readsBothSplitsWithVocClassesAndSquareImages() throws IOException {
    Path voc = writeVoc(temp);
    List<String> warnings = new ArrayList<>();

    Split split = VocSegmentation.load(voc, new Settings(36, 0, 0, 3), 1, warnings::add);

    assertThat(warnings).isEmpty();
    assertThat(split.train().size()).isEqualTo(6);
    assertThat(split.test().size()).isEqualTo(4);
    assertThat(split.trainIds()).containsExactlyElementsOf(TRAIN.keySet());
    assertThat(split.testIds()).containsExactlyElementsOf(VAL.keySet());
    assertThat(split.train().shape()).hasToString("3x36x36");
    assertThat(split.test().shape()).hasToString("3x36x36");
    assertThat(split.train().classNames()).hasSize(21).startsWith("background", "aeroplane")
        .contains("person", "cat").endsWith("tvmonitor");
    assertThat(split.train().classNames().get(PERSON)).isEqualTo("person");
    assertThat(split.train().classNames().get(CAT)).isEqualTo("cat");
    assertThat(split.train().description()).contains("train (6 of 6 ids in train.txt)");
    assertThat(split.test().description()).contains("test (4 of 4 ids in val.txt)");
  }

  @Test
  void maskRectangleLandsWhereHalvingAndCentreCropPutIt() throws IOException {
    Path voc = writeVoc(temp);

    // 2008_000001 is 96 x 72; at 36 the factor is exactly 1/2: scaled to 48 x 36, cropped from
    // x = 6. Crop pixel (X, Y) takes the source pixel under its centre, (2X + 13, 2Y + 1).
    SegmentationSet train =
        VocSegmentation.load(voc, new Settings(36, 0, 0, 3), 1, m -> { }).train();

    // The person rectangle is x 30..59, y 20..49 with a 2-pixel ignore frame around it, so:
    // person at X 9..23, Y 10..24; ignore on X 8 and 24 (Y 9..25) and on Y 9 and 25 (X 8..24).
    for (int y = 0; y < 36; y++) {
      for (int x = 0; x < 36; x++) {
        boolean inside = x >= 9 && x <= 23 && y >= 10 && y <= 24;
        boolean frame = !inside && x >= 8 && x <= 24 && y >= 9 && y <= 25;
        int label = train.label(0, y, x);
        if (inside) {
          assertThat(label).as("(x %d, y %d)", x, y).isEqualTo(PERSON);
        } else if (frame) {
          assertThat(label).as("(x %d, y %d)", x, y).isEqualTo(IGNORE);
        } else {
          assertThat(label).as("(x %d, y %d)", x, y).isIn(0, CAT);
        }
      }
    }
    // Every pixel matches nearest-neighbour sampling of the drawn mask, the ellipse too.
    assertThat(train.mask(0)).containsExactly(expectedMask(mask(96, 72), 96, 72, 36));
  }

  @Test
  void everyMaskIsTheNearestNeighbourOfItsDrawingWithOnlyDrawnLabels() throws IOException {
    Path voc = writeVoc(temp);

    for (int side : new int[] {36, 29, 64}) {
      Split split = VocSegmentation.load(voc, new Settings(side, 0, 0, 3), 1, m -> { });
      int i = 0;
      for (Sample s : TRAIN.values()) {
        int[] expected = expectedMask(mask(s.width(), s.height()), s.width(), s.height(), side);
        assertThat(split.train().mask(i++)).as("%s at %d", s, side).containsExactly(expected);
      }
      // Nearest neighbour never blends: only drawn labels occur, 255 included.
      Set<Integer> labels = new HashSet<>();
      for (int label : split.train().masksOf(new int[] {0, 1, 2, 3, 4, 5})) {
        labels.add(label);
      }
      assertThat(labels).as("at %d", side).containsExactlyInAnyOrder(0, CAT, PERSON, IGNORE);
    }
  }

  @Test
  void imagesAreAreaAveragedWithTheMasksGeometry() throws IOException {
    Path voc = writeVoc(temp);
    BufferedImage jpeg = ImageIO.read(voc.resolve("JPEGImages/2008_000001.jpg").toFile());

    SegmentationSet train =
        VocSegmentation.load(voc, new Settings(36, 0, 0, 3), 1, m -> { }).train();
    SegmentationSet native72 =
        VocSegmentation.load(voc, new Settings(72, 0, 0, 3), 1, m -> { }).train();

    float[] halved = train.image(0).data().asFloat();
    float[] cropped = native72.image(0).data().asFloat();
    for (int[] at : new int[][] {{0, 0}, {17, 20}, {35, 35}}) {
      int x = at[0];
      int y = at[1];
      for (int c = 0; c < 3; c++) {
        // At 36: the mean of the 2 x 2 block at (2x + 6 * 2, 2y), the block the mask's pixel
        // (2x + 13, 2y + 1) lies in.
        double mean = 0;
        for (int dy = 0; dy < 2; dy++) {
          for (int dx = 0; dx < 2; dx++) {
            mean += channel(jpeg.getRGB(2 * x + 12 + dx, 2 * y + dy), c) / 4.0;
          }
        }
        assertThat((double) halved[(c * 36 + y) * 36 + x]).isCloseTo(mean, Offset.offset(1e-5));
        // At 72 (the short side): no resampling, the centre 72 columns from x = 12.
        assertThat((double) cropped[(c * 72 + y) * 72 + x])
            .isCloseTo(channel(jpeg.getRGB(x + 12, y), c), Offset.offset(1e-6));
      }
    }
  }

  @Test
  void smallImagesAreEnlargedWithAWarning() throws IOException {
    Path voc = writeVoc(temp);
    List<String> warnings = new ArrayList<>();

    Split split = VocSegmentation.load(voc, new Settings(64, 0, 0, 3), 1, warnings::add);

    // Short sides 60 and 72: the three 60-pixel ones of train grow bilinearly, values stay in range.
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("3 of 6 images", "image-size 64", "enlarged bilinearly",
        "2008_000003.jpg", "80x60");
    float[] values = split.train().images().images().data().asFloat();
    for (float v : values) {
      assertThat(v).isBetween(0f, 1f);
    }
  }

  @Test
  void enlargingIsBilinearWithHalfPixelCentres() {
    // A 2 x 1 gray image [0, 1] to 4 x 2: samples at x = -0.25 (edge), 0.25, 0.75, 1.25 (edge).
    ImageRaster wide = new ImageRaster(1, 1, 2, new float[] {0f, 1f}).enlarge(2, 4);

    assertThat(wide.values()).containsExactly(0f, 0.25f, 0.75f, 1f, 0f, 0.25f, 0.75f, 1f);
  }

  @Test
  void paletteIndicesAreTheLabelsWhateverTheColoursAndGrayIndexMasksWork() throws IOException {
    Path voc = writeVoc(temp);
    int[] drawn = mask(96, 72);
    // The same indices under a palette of all-black colours, and as a grayscale PNG of indices.
    writePalette(voc.resolve("SegmentationClass/2008_000001.png"), drawn, 96, 72,
        new IndexColorModel(8, 256, new byte[256], new byte[256], new byte[256]));
    writeGray(voc.resolve("SegmentationClass/2008_000004.png"), drawn, 96, 72);

    SegmentationSet train =
        VocSegmentation.load(voc, new Settings(72, 0, 0, 3), 1, m -> { }).train();

    int[] expected = expectedMask(drawn, 96, 72, 72);
    assertThat(train.mask(0)).containsExactly(expected);
    assertThat(train.mask(3)).containsExactly(expected);
    assertThat(train.label(0, 35, 45)).isEqualTo(PERSON);
    assertThat(train.label(0, 18, 16)).isEqualTo(IGNORE);
  }

  @Test
  void lumaOptionGivesRec601OfTheRgbImages() throws IOException {
    Path voc = writeVoc(temp);

    SegmentationSet rgb = VocSegmentation.load(voc, new Settings(36, 0, 0, 3), 1, m -> { }).test();
    SegmentationSet luma = VocSegmentation.load(voc, new Settings(36, 0, 0, 1), 1, m -> { }).test();

    assertThat(luma.shape()).hasToString("1x36x36");
    assertThat(luma.description()).contains("luma");
    assertThat(luma.masksOf(new int[] {0, 1, 2, 3}))
        .containsExactly(rgb.masksOf(new int[] {0, 1, 2, 3}));
    float[] colour = rgb.images().images().data().asFloat();
    float[] gray = luma.images().images().data().asFloat();
    int plane = 36 * 36;
    for (int n = 0; n < 4; n++) {
      for (int p = 0; p < plane; p += 37) {
        int base = n * 3 * plane + p;
        double expected = 0.299 * colour[base] + 0.587 * colour[base + plane]
            + 0.114 * colour[base + 2 * plane];
        assertThat((double) gray[n * plane + p]).isCloseTo(expected, Offset.offset(1e-4));
      }
    }
  }

  // ---------------------------------------------------------------- splits and limits

  @Test
  void limitsTakeASeededDeterministicChoiceInListOrder() throws IOException {
    Path voc = writeVoc(temp);

    Split a = VocSegmentation.load(voc, new Settings(16, 3, 2, 1), 7, m -> { });
    Split again = VocSegmentation.load(voc, new Settings(16, 3, 2, 1), 7, m -> { });
    Split moreTrain = VocSegmentation.load(voc, new Settings(16, 4, 2, 1), 7, m -> { });

    assertThat(a.train().size()).isEqualTo(3);
    assertThat(a.test().size()).isEqualTo(2);
    assertThat(again.trainIds()).isEqualTo(a.trainIds());
    assertThat(again.testIds()).isEqualTo(a.testIds());
    assertThat(again.train().masksOf(new int[] {0, 1, 2}))
        .containsExactly(a.train().masksOf(new int[] {0, 1, 2}));
    // Kept in list order; a larger limit keeps the same ids and more; the test choice does not
    // depend on the train limit.
    assertThat(a.trainIds()).isSubsetOf(TRAIN.keySet()).isSortedAccordingTo(String::compareTo);
    assertThat(moreTrain.trainIds()).hasSize(4).containsAll(a.trainIds());
    assertThat(moreTrain.testIds()).isEqualTo(a.testIds());
    // Other seeds choose other ids.
    Set<List<String>> choices = new HashSet<>();
    for (long seed = 0; seed < 8; seed++) {
      choices.add(VocSegmentation.load(voc, new Settings(8, 3, 1, 1), seed, m -> { }).trainIds());
    }
    assertThat(choices.size()).isGreaterThan(2);
    // A limit at or above the list's size is all of it.
    assertThat(VocSegmentation.load(voc, new Settings(8, 6, 9, 1), 7, m -> { }).testIds())
        .containsExactlyElementsOf(VAL.keySet());
  }

  @Test
  void listsIgnoreBlankLinesAndWarnAboutRepeatsAndOverlap() throws IOException {
    Path voc = writeVoc(temp);
    Path val = voc.resolve("ImageSets/Segmentation/val.txt");
    Files.writeString(val, "\n2009_000001\n  2009_000002  \n\n2009_000002\n2008_000003\n");
    List<String> warnings = new ArrayList<>();

    Split split = VocSegmentation.load(voc, new Settings(16, 0, 0, 1), 1, warnings::add);

    assertThat(split.testIds()).containsExactly("2009_000001", "2009_000002", "2008_000003");
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("val.txt", "1 id(s) listed more"
        + " than once"));
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("also in", "train.txt",
        "'2008_000003'"));
  }

  // ---------------------------------------------------------------- root, inspect, files

  @Test
  void rootMayBeTheYearFolderVocdevkitOrTheFolderAboveIt() throws IOException {
    Path voc = writeVoc(temp.resolve("unpacked/VOCdevkit/VOC2012"));

    for (Path root : List.of(voc, temp.resolve("unpacked/VOCdevkit"), temp.resolve("unpacked"))) {
      assertThat(VocSegmentation.inspect(root, m -> { }))
          .isEqualTo("6 train and 4 val ids in " + voc
              + ", images and masks present with matching sizes");
      assertThat(VocSegmentation.files(root)).first().isEqualTo(
          voc.resolve("ImageSets/Segmentation/train.txt"));
    }
  }

  @Test
  void filesListsTheListsThenEachIdsImageAndMaskInOrder() throws IOException {
    Path voc = writeVoc(temp);

    List<Path> files = VocSegmentation.files(voc);

    assertThat(files).hasSize(2 + 2 * 10);
    assertThat(files.subList(0, 4)).containsExactly(
        voc.resolve("ImageSets/Segmentation/train.txt"),
        voc.resolve("ImageSets/Segmentation/val.txt"),
        voc.resolve("JPEGImages/2008_000001.jpg"),
        voc.resolve("SegmentationClass/2008_000001.png"));
    assertThat(files.get(files.size() - 1)).isEqualTo(
        voc.resolve("SegmentationClass/2009_000004.png"));
    assertThat(files).allSatisfy(f -> assertThat(f).isRegularFile());
    assertThat(VocSegmentation.files(voc)).isEqualTo(files);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void missingRootOrLayoutNamesWhereItLooked() throws IOException {
    Path nowhere = temp.resolve("nowhere");
    assertThatThrownBy(() -> VocSegmentation.inspect(nowhere, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessage(nowhere + ": VOC folder does not exist");

    Path empty = Files.createDirectories(temp.resolve("empty"));
    assertThatThrownBy(() -> VocSegmentation.load(empty, new Settings(16, 0, 0, 3), 1, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("holds no PASCAL VOC layout")
        .hasMessageContaining(empty.resolve("VOC2012").toString())
        .hasMessageContaining(empty.resolve("VOCdevkit/VOC2012").toString());
  }

  @Test
  void missingSplitListNamesTheExpectedPath() throws IOException {
    Path voc = writeVoc(temp);
    Path val = voc.resolve("ImageSets/Segmentation/val.txt");
    Files.delete(val);

    assertThatThrownBy(() -> VocSegmentation.load(voc, new Settings(16, 0, 0, 3), 1, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(val + ": missing: the val split's id list")
        .satisfies(e -> assertThat(((DatasetException) e).file()).isEqualTo(val));
    assertThatThrownBy(() -> VocSegmentation.inspect(voc, m -> { }))
        .hasMessageStartingWith(val + ": missing");
  }

  @Test
  void listedIdWithoutImageOrMaskNamesIdAndPath() throws IOException {
    Path voc = writeVoc(temp);
    Path jpeg = voc.resolve("JPEGImages/2008_000002.jpg");
    Files.delete(jpeg);

    assertThatThrownBy(() -> VocSegmentation.load(voc, new Settings(16, 0, 0, 3), 1, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessage(jpeg + ": missing: id '2008_000002' is listed in "
            + voc.resolve("ImageSets/Segmentation/train.txt") + " but this file does not exist");

    Files.writeString(voc.resolve("ImageSets/Segmentation/train.txt"), "2008_000001\n");
    Path png = voc.resolve("SegmentationClass/2009_000003.png");
    Files.delete(png);
    assertThatThrownBy(() -> VocSegmentation.inspect(voc, m -> { }))
        .hasMessageStartingWith(png + ": missing: id '2009_000003' is listed in "
            + voc.resolve("ImageSets/Segmentation/val.txt"));
    assertThatThrownBy(() -> VocSegmentation.files(voc)).hasMessageStartingWith(png + ": missing");
  }

  @Test
  void maskOfAnotherSizeNamesBothFilesAndSizes() throws IOException {
    Path voc = writeVoc(temp);
    Path png = voc.resolve("SegmentationClass/2008_000003.png");
    writePalette(png, mask(80, 64), 80, 64, vocPalette());

    String expected = png + ": is 80x64 but its image " + voc.resolve("JPEGImages/2008_000003.jpg")
        + " is 80x60; a mask must have its image's size";
    assertThatThrownBy(() -> VocSegmentation.inspect(voc, m -> { })).hasMessage(expected);
    assertThatThrownBy(() -> VocSegmentation.load(voc, new Settings(16, 0, 0, 3), 1, m -> { }))
        .hasMessage(expected);
  }

  @Test
  void rgbMaskIsRejectedWithAdviceToConvertToPaletteIndices() throws IOException {
    Path voc = writeVoc(temp);
    Path png = voc.resolve("SegmentationClass/2009_000002.png");
    ImageFiles.rgb(png, 72, 96, (x, y) -> x > 30 ? 0xc08080 : 0);

    assertThatThrownBy(() -> VocSegmentation.load(voc, new Settings(16, 0, 0, 3), 1, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(png + ": is an RGB PNG")
        .hasMessageContaining("convert colour masks to palette indices");
    assertThatThrownBy(() -> VocSegmentation.inspect(voc, m -> { }))
        .hasMessageStartingWith(png + ": is an RGB PNG");
  }

  @Test
  void unknownPaletteIndexNamesFilePixelAndIndex() throws IOException {
    Path voc = writeVoc(temp);
    Path png = voc.resolve("SegmentationClass/2008_000005.png");
    int[] labels = mask(90, 60);
    labels[7 * 90 + 5] = 42;
    labels[8 * 90 + 5] = 21;
    writePalette(png, labels, 90, 60, vocPalette());

    // Headers are fine, so inspect passes; decoding finds the index.
    assertThat(VocSegmentation.inspect(voc, m -> { })).startsWith("6 train and 4 val ids");
    assertThatThrownBy(() -> VocSegmentation.load(voc, new Settings(16, 0, 0, 3), 1, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessage(png + ": pixel (x 5, y 7) has palette index 42, which is no VOC label (0 to 20"
            + " are the classes, 255 is ignore); 2 pixel(s) of this mask have such indices");
  }

  @Test
  void unreadableImageOrMaskIsNamed() throws IOException {
    Path voc = writeVoc(temp);
    Path jpeg = voc.resolve("JPEGImages/2009_000004.jpg");
    Files.write(jpeg, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    Path png = voc.resolve("SegmentationClass/2008_000006.png");
    Files.writeString(png, "not a png at all, though long enough for a header");

    assertThatThrownBy(() -> VocSegmentation.load(voc, new Settings(16, 0, 0, 3), 1, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(voc + ": 2 problems with the listed files:")
        .hasMessageContaining("\n  1. " + png + ": is not a PNG file")
        .hasMessageContaining("\n  2. " + jpeg + ": not an image format ImageIO can read");
  }

  @Test
  void corruptJpegBodyFailsWhenDecodedNamingTheFile() throws IOException {
    Path voc = writeVoc(temp);
    Path jpeg = voc.resolve("JPEGImages/2008_000001.jpg");
    byte[] bytes = Files.readAllBytes(jpeg);
    // Point the scan's first component at Huffman tables that do not exist: the header (and so the
    // size) reads, the pixels do not. (Damaged pixel data alone only makes ImageIO warn and fill
    // in gray; a file cut before its scan already fails at the header.)
    int scan = 2;
    while ((bytes[scan] & 0xff) != 0xff || (bytes[scan + 1] & 0xff) != 0xda) {
      scan++;
    }
    bytes[scan + 6] = 0x77;
    Files.write(jpeg, bytes);

    assertThat(VocSegmentation.inspect(voc, m -> { })).startsWith("6 train");
    assertThatThrownBy(() -> VocSegmentation.load(voc, new Settings(16, 0, 0, 3), 1, m -> { }))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(jpeg + ": cannot decode the image: ");
  }

  @Test
  void badSettingsNameEveryKey() {
    assertThatThrownBy(() -> new Settings(0, -1, -2, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad VOC settings: image-size must be at least 1, got 0; train-limit must be"
            + " 0 (all) or more, got -1; test-limit must be 0 (all) or more, got -2; channels must"
            + " be 1 (luma) or 3 (RGB), got 2");
  }

  // ---------------------------------------------------------------- fixture

  /** Writes the VOC folder at {@code dir} (created) and returns it. */
  private static Path writeVoc(Path dir) throws IOException {
    assumeTrue(!PHOTOS.isEmpty(), "Debian package mate-backgrounds is not installed");
    Path lists = Files.createDirectories(dir.resolve("ImageSets/Segmentation"));
    Files.createDirectories(dir.resolve("JPEGImages"));
    Files.createDirectories(dir.resolve("SegmentationClass"));
    for (Map<String, Sample> split : List.of(TRAIN, VAL)) {
      for (Map.Entry<String, Sample> e : split.entrySet()) {
        Sample s = e.getValue();
        ImageIO.write(scaled(PHOTOS.get(s.photo()), s.width(), s.height()), "jpg",
            dir.resolve("JPEGImages/" + e.getKey() + ".jpg").toFile());
        writePalette(dir.resolve("SegmentationClass/" + e.getKey() + ".png"),
            mask(s.width(), s.height()), s.width(), s.height(), vocPalette());
      }
    }
    // Blank lines (and a trailing one) are part of the format's tolerance.
    Files.writeString(lists.resolve("train.txt"), String.join("\n", TRAIN.keySet()) + "\n\n");
    Files.writeString(lists.resolve("val.txt"), "\n" + String.join("\n", VAL.keySet()) + "\n");
    return dir;
  }

  /**
   * The drawn labels of a {@code w x h} mask: a person rectangle at x 30..59, y 20..49 inside a
   * 2-pixel ignore frame, and a cat ellipse at the right (or bottom, when portrait).
   */
  static int[] mask(int w, int h) {
    int[] labels = new int[w * h];
    double cx = w > h ? w - 16 : w / 2.0;
    double cy = w > h ? h / 2.0 : h - 14;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int label = 0;
        double ex = (x + 0.5 - cx) / 12;
        double ey = (y + 0.5 - cy) / 9;
        if (ex * ex + ey * ey <= 1) {
          label = CAT;
        }
        if (x >= 28 && x < 62 && y >= 18 && y < 52) {
          label = x >= 30 && x < 60 && y >= 20 && y < 50 ? PERSON : IGNORE;
        }
        labels[y * w + x] = label;
      }
    }
    return labels;
  }

  /**
   * Nearest-neighbour resize to short side {@code side} and centre crop, written out from the
   * definition: crop pixel (X, Y) lies at (X + left + 0.5, Y + top + 0.5) in the scaled image,
   * whose pixel is {@code n / m} source pixels wide.
   */
  static int[] expectedMask(int[] labels, int w, int h, int side) {
    double factor = (double) side / Math.min(w, h);
    int sw = w <= h ? side : (int) Math.round(w * factor);
    int sh = h <= w ? side : (int) Math.round(h * factor);
    int left = (sw - side) / 2;
    int top = (sh - side) / 2;
    int[] out = new int[side * side];
    for (int y = 0; y < side; y++) {
      int sy = (int) Math.floor((y + top + 0.5) * h / sh);
      for (int x = 0; x < side; x++) {
        int sx = (int) Math.floor((x + left + 0.5) * w / sw);
        out[y * side + x] = labels[sy * w + sx];
      }
    }
    return out;
  }

  /** The PASCAL VOC colour map: index i's colour from i's bits, interleaved. */
  static IndexColorModel vocPalette() {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      int c = i;
      int rr = 0;
      int gg = 0;
      int bb = 0;
      for (int j = 0; j < 8; j++) {
        rr |= (c & 1) << (7 - j);
        gg |= ((c >> 1) & 1) << (7 - j);
        bb |= ((c >> 2) & 1) << (7 - j);
        c >>= 3;
      }
      r[i] = (byte) rr;
      g[i] = (byte) gg;
      b[i] = (byte) bb;
    }
    return new IndexColorModel(8, 256, r, g, b);
  }

  static void writePalette(Path file, int[] labels, int w, int h, IndexColorModel palette)
      throws IOException {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette);
    image.getRaster().setSamples(0, 0, w, h, 0, labels);
    write(file, image);
  }

  static void writeGray(Path file, int[] labels, int w, int h) throws IOException {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSamples(0, 0, w, h, 0, labels);
    write(file, image);
  }

  private static void write(Path file, BufferedImage image) throws IOException {
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer");
    }
  }

  private static double channel(int rgb, int c) {
    return ((rgb >> (16 - 8 * c)) & 0xff) / 255.0;
  }

  private static BufferedImage scaled(BufferedImage photo, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
        RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(photo, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  /** Decodes every {@code step}-th pixel of every {@code step}-th row: fast, and small enough. */
  private static BufferedImage decodeSubsampled(Path file, int step) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      try {
        reader.setInput(in, true, true);
        ImageReadParam param = reader.getDefaultReadParam();
        param.setSourceSubsampling(step, step, 0, 0);
        return reader.read(0, param);
      } finally {
        reader.dispose();
      }
    }
  }
}
