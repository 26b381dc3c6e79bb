package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * PASCAL VOC 2012 semantic segmentation, read from the layout the VOC tar file unpacks to.
 *
 * <ul>
 *   <li><b>Layout.</b> {@code JPEGImages/<id>.jpg}, {@code SegmentationClass/<id>.png} and the id
 *       lists {@code ImageSets/Segmentation/train.txt} (the train split) and {@code val.txt} (the
 *       test split), one id per line, blank lines ignored. Nothing else ({@code
 *       SegmentationObject/}, {@code Annotations/}, {@code trainval.txt}) is read.
 *   <li><b>Root.</b> The path may be the {@code VOC2012} folder itself (any folder holding {@code
 *       ImageSets/} or {@code JPEGImages/}, so a VOC2007 folder works too), the {@code VOCdevkit}
 *       folder above it ({@code VOCdevkit/VOC2012}), or the folder the tar file was unpacked in
 *       ({@code VOCdevkit/VOC2012} below it), tried in that order.
 *   <li><b>Masks.</b> Palette PNGs whose palette index is the class: 0 background, 1 to 20 the VOC
 *       classes of {@link #CLASS_NAMES}, 255 {@link SegmentationSet#IGNORE} (object borders). The
 *       palette's colours are never looked at; a grayscale PNG whose values are those indices is
 *       read the same way. A mask saved as RGB colours is rejected with advice to convert it.
 *   <li><b>Resize.</b> Each image and its mask are scaled so the short side is {@code image-size}
 *       and centre-cropped to a square. Images shrink by area averaging (every source pixel's exact
 *       share, as {@link ImageFolder} does: VOC's ~500 x 375 photos shrink 2 to 8 times, where
 *       bilinear sampling would alias) and grow, when the short side is below {@code image-size},
 *       bilinearly. Masks are resampled by nearest neighbour with the same geometry — target pixel
 *       {@code j} takes the source pixel under its centre, {@code floor((j + 0.5) * n / m)} — so a
 *       label is always one of the mask's own labels (never a blend of two classes) and 255 stays
 *       255.
 *   <li><b>Limits.</b> A limit of n keeps the first n ids of a seeded shuffle of the split's list
 *       (0 = all); the kept ids are read in list order. One {@link SplittableRandom} seeded with
 *       the seed gives two streams, the first for train and the second for test, so each split's
 *       choice depends only on the seed, its list and its own limit.
 *   <li><b>Errors.</b> Every problem is a {@link DatasetException} naming the file (and the id,
 *       pixel or index) and what is wrong. Before decoding anything, {@link #load} checks the
 *       selected files' presence and headers and reports every problem found at once; a mask with
 *       an index that is no class, or an image that does not decode, fails at the first one. A
 *       broken file is an error, not skipped: VOC is a fixed benchmark and a missing image means a
 *       damaged copy.
 * </ul>
 */
public final class VocSegmentation {

  /** The 21 VOC classes, indexed by mask label; background first. */
  public static final List<String> CLASS_NAMES = List.of("background", "aeroplane", "bicycle",
      "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse",
      "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor");

  /** The folder below {@code VOCdevkit} that a VOCdevkit root is searched for. */
  public static final String YEAR_FOLDER = "VOC2012";

  /** Problems named one by one in a message before the rest are counted. */
  static final int NAMED_PROBLEMS = 10;

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int PNG_GRAY = 0;
  private static final int PNG_PALETTE = 3;

  private VocSegmentation() {}

  /**
   * How to read the set. The compact constructor checks every setting and names each bad one by
   * its configuration key in one message.
   *
   * @param imageSize side of the square images and masks, pixels ({@code image-size})
   * @param trainLimit at most this many train images, 0 = all ({@code train-limit})
   * @param testLimit at most this many test (val) images, 0 = all ({@code test-limit})
   * @param channels 3 (RGB) or 1 (Rec. 601 luma) ({@code channels})
   */
  public record Settings(int imageSize, int trainLimit, int testLimit, int channels) {

    public Settings {
      List<String> problems = new ArrayList<>();
      if (imageSize < 1) {
        problems.add("image-size must be at least 1, got " + imageSize);
      }
      if (trainLimit < 0) {
        problems.add("train-limit must be 0 (all) or more, got " + trainLimit);
      }
      if (testLimit < 0) {
        problems.add("test-limit must be 0 (all) or more, got " + testLimit);
      }
      if (channels != 1 && channels != 3) {
        problems.add("channels must be 1 (luma) or 3 (RGB), got " + channels);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("bad VOC settings: " + String.join("; ", problems));
      }
    }
  }

  /**
   * The two splits and the ids they hold, in order.
   *
   * @param train images listed in {@code train.txt}
   * @param test images listed in {@code val.txt}
   * @param trainIds the id of each train image
   * @param testIds the id of each test image
   */
  public record Split(
      SegmentationSet train, SegmentationSet test, List<String> trainIds, List<String> testIds) {

    public Split {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
      trainIds = List.copyOf(trainIds);
      testIds = List.copyOf(testIds);
    }
  }

  /**
   * Reads the train split (from {@code train.txt}) and the test split (from {@code val.txt}).
   *
   * @param root the VOC2012 folder, or a folder above it (see the class comment)
   * @param warn receives warnings: ids listed twice, ids in both splits, images enlarged
   * @throws DatasetException naming the file and what is wrong
   */
  public static Split load(Path root, Settings settings, long seed, Consumer<String> warn) {
    Layout layout = Layout.locate(root, warn);
    SplittableRandom random = new SplittableRandom(seed);
    SplittableRandom trainRandom = random.split();
    SplittableRandom testRandom = random.split();
    List<String> trainIds = choose(layout.trainIds(), settings.trainLimit(), trainRandom);
    List<String> testIds = choose(layout.valIds(), settings.testLimit(), testRandom);
    Problems problems = new Problems(layout.dir());
    List<Pair> train = layout.pairs(trainIds, layout.trainList(), problems);
    List<Pair> test = layout.pairs(testIds, layout.valList(), problems);
    problems.throwIfAny();
    String what = "PASCAL VOC segmentation " + layout.dir() + " at " + settings.imageSize() + " x "
        + settings.imageSize() + (settings.channels() == 1 ? " luma" : "");
    return new Split(
        read(train, settings, warn, what + ", train (" + train.size() + " of "
            + layout.trainIds().size() + " ids in train.txt)"),
        read(test, settings, warn, what + ", test (" + test.size() + " of "
            + layout.valIds().size() + " ids in val.txt)"),
        trainIds, testIds);
  }

  /**
   * Checks the set as {@link #load} reads it, without decoding pixels: the layout, both id lists,
   * and for every listed id that its image and mask are there, readable by their headers, the
   * mask a palette (or grayscale) PNG, and the two of one size. Palette indices are only seen when
   * a run decodes the masks.
   *
   * @return what it holds, e.g. "1464 train and 1449 val ids in .../VOC2012, images and masks
   *     present with matching sizes"
   * @throws DatasetException naming every problem found (the first {@value #NAMED_PROBLEMS})
   */
  public static String inspect(Path root, Consumer<String> warn) {
    Layout layout = Layout.locate(root, warn);
    Problems problems = new Problems(layout.dir());
    layout.pairs(layout.trainIds(), layout.trainList(), problems);
    layout.pairs(layout.valIds(), layout.valList(), problems);
    problems.throwIfAny();
    return layout.trainIds().size() + " train and " + layout.valIds().size() + " val ids in "
        + layout.dir() + ", images and masks present with matching sizes";
  }

  /**
   * Every file a run can read, in a fixed order: {@code train.txt}, {@code val.txt}, then for each
   * id (train's in list order, then val's not already listed) its JPEG and its mask. All listed
   * ids whatever the limits, so a hash over them identifies the data set, not one selection.
   *
   * @throws DatasetException if the layout is wrong or a listed file is missing (all named)
   */
  public static List<Path> files(Path root) {
    Layout layout = Layout.locate(root, message -> { });
    List<Path> files = new ArrayList<>(List.of(layout.trainList(), layout.valList()));
    Problems problems = new Problems(layout.dir());
    Set<String> seen = new HashSet<>();
    for (Path list : List.of(layout.trainList(), layout.valList())) {
      for (String id : list == layout.trainList() ? layout.trainIds() : layout.valIds()) {
        if (!seen.add(id)) {
          continue;
        }
        for (Path file : List.of(layout.image(id), layout.mask(id))) {
          if (Files.isRegularFile(file)) {
            files.add(file);
          } else {
            problems.add(missing(file, id, list));
          }
        }
      }
    }
    problems.throwIfAny();
    return List.copyOf(files);
  }

  /** The first {@code limit} ids of a seeded shuffle, back in list order; all when 0. */
  private static List<String> choose(List<String> ids, int limit, SplittableRandom random) {
    if (limit == 0 || limit >= ids.size()) {
      return ids;
    }
    int[] order = new int[ids.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] chosen = Arrays.copyOf(order, limit);
    Arrays.sort(chosen);
    List<String> kept = new ArrayList<>(limit);
    for (int i : chosen) {
      kept.add(ids.get(i));
    }
    return kept;
  }

  /** Decodes, resizes and crops the pairs into one set. */
  private static SegmentationSet read(List<Pair> pairs, Settings settings, Consumer<String> warn,
      String description) {
    int side = settings.imageSize();
    ImageShape shape = new ImageShape(settings.channels(), side, side);
    float[] pixels = new float[Math.multiplyExact(pairs.size(), shape.size())];
    byte[] masks = new byte[Math.multiplyExact(pairs.size(), side * side)];
    int enlarged = 0;
    Pair firstEnlarged = null;
    for (int n = 0; n < pairs.size(); n++) {
      Pair pair = pairs.get(n);
      Geometry g = Geometry.of(pair.height(), pair.width(), side);
      if (g.enlarges()) {
        enlarged++;
        firstEnlarged = firstEnlarged == null ? pair : firstEnlarged;
      }
      ImageRaster image = ImageRaster.read(pair.image()).withChannels(settings.channels());
      if (image.height() != pair.height() || image.width() != pair.width()) {
        throw new DatasetException(pair.image(), "decodes to " + image.width() + "x"
            + image.height() + " but its header says " + pair.width() + "x" + pair.height());
      }
      ImageRaster resized = g.enlarges() ? image.enlarge(g.height(), g.width())
          : g.height() < pair.height() ? image.resize(g.height(), g.width()) : image;
      ImageRaster square = resized.crop(g.left(), g.top(), side);
      System.arraycopy(square.values(), 0, pixels, n * shape.size(), shape.size());
      int[] labels = readMask(pair);
      for (int y = 0; y < side; y++) {
        int sy = g.sourceRow(y, pair.height());
        for (int x = 0; x < side; x++) {
          masks[n * side * side + y * side + x] =
              (byte) labels[sy * pair.width() + g.sourceColumn(x, pair.width())];
        }
      }
    }
    if (enlarged > 0) {
      warn.accept(description + ": " + enlarged + " of " + pairs.size() + " images have a short"
          + " side below image-size " + side + " and were enlarged bilinearly (the first: "
          + firstEnlarged.image() + ", " + firstEnlarged.width() + "x" + firstEnlarged.height()
          + ")");
    }
    ImageSet images = ImageSet.fromFloats(pixels, pairs.size(), shape, null, List.of(),
        description);
    return new SegmentationSet(images, masks, CLASS_NAMES, description);
  }

  /** A mask's labels, row-major, each checked to be a class or the ignore label. */
  private static int[] readMask(Pair pair) {
    Path file = pair.mask();
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new DatasetException(file, "cannot decode the mask: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new DatasetException(file, "cannot decode the mask (no ImageIO reader accepts it)");
    }
    if (image.getWidth() != pair.width() || image.getHeight() != pair.height()) {
      throw sizeMismatch(pair, image.getWidth(), image.getHeight());
    }
    Raster raster = image.getRaster();
    int w = pair.width();
    int[] labels = new int[w * pair.height()];
    raster.getSamples(0, 0, w, pair.height(), 0, labels);
    int bad = 0;
    int first = -1;
    for (int i = 0; i < labels.length; i++) {
      int label = labels[i];
      if (label >= CLASS_NAMES.size() && label != SegmentationSet.IGNORE) {
        bad++;
        first = first < 0 ? i : first;
      }
    }
    if (bad > 0) {
      throw new DatasetException(file, "pixel (x " + first % w + ", y " + first / w + ") has"
          + " palette index " + labels[first] + ", which is no VOC label (0 to "
          + (CLASS_NAMES.size() - 1) + " are the classes, " + SegmentationSet.IGNORE
          + " is ignore); " + bad + " pixel(s) of this mask have such indices");
    }
    return labels;
  }

  private static DatasetException missing(Path file, String id, Path list) {
    return new DatasetException(file, "missing: id '" + id + "' is listed in " + list
        + " but this file does not exist");
  }

  private static DatasetException sizeMismatch(Pair pair, int maskWidth, int maskHeight) {
    return new DatasetException(pair.mask(), "is " + maskWidth + "x" + maskHeight
        + " but its image " + pair.image() + " is " + pair.width() + "x" + pair.height()
        + "; a mask must have its image's size");
  }

  /**
   * Where a square crop of side {@code side} comes from: the image scaled to {@code height x
   * width} (short side = {@code side}), cropped at ({@code left}, {@code top}).
   */
  private record Geometry(int height, int width, int top, int left, boolean enlarges) {

    static Geometry of(int h, int w, int side) {
      int shortSide = Math.min(h, w);
      double factor = (double) side / shortSide;
      int newH = h == shortSide ? side : Math.max(side, (int) Math.round(h * factor));
      int newW = w == shortSide ? side : Math.max(side, (int) Math.round(w * factor));
      return new Geometry(newH, newW, (newH - side) / 2, (newW - side) / 2, shortSide < side);
    }

    /** The source row under the centre of crop row {@code y} (nearest neighbour). */
    int sourceRow(int y, int sourceHeight) {
      return nearest(y + top, sourceHeight, height);
    }

    /** The source column under the centre of crop column {@code x}. */
    int sourceColumn(int x, int sourceWidth) {
      return nearest(x + left, sourceWidth, width);
    }

    /** {@code floor((j + 0.5) * n / m)} in exact integer arithmetic. */
    private static int nearest(int j, int n, int m) {
      return (int) Math.min(n - 1, ((2L * j + 1) * n) / (2L * m));
    }
  }

  /** One listed id's files and its size, from the headers. */
  private record Pair(Path image, Path mask, int width, int height) {}

  /** Collects problems with listed files, to report them all at once. */
  private static final class Problems {
    private final Path dir;
    private final List<DatasetException> found = new ArrayList<>();

    Problems(Path dir) {
      this.dir = dir;
    }

    void add(DatasetException e) {
      found.add(e);
    }

    void throwIfAny() {
      if (found.size() == 1) {
        throw found.get(0);
      }
      if (found.isEmpty()) {
        return;
      }
      StringBuilder message = new StringBuilder(found.size() + " problems with the listed files:");
      for (int i = 0; i < Math.min(NAMED_PROBLEMS, found.size()); i++) {
        message.append("\n  ").append(i + 1).append(". ").append(found.get(i).getMessage());
      }
      if (found.size() > NAMED_PROBLEMS) {
        message.append("\n  ... and ").append(found.size() - NAMED_PROBLEMS).append(" more");
      }
      throw new DatasetException(dir, message.toString(), found.get(0));
    }
  }

  /** The located VOC folder and its two id lists. */
  private record Layout(Path dir, Path trainList, Path valList, List<String> trainIds,
      List<String> valIds) {

    /**
     * Finds the VOC folder at or below {@code root} and reads both id lists.
     *
     * @throws DatasetException if the root is missing, no layout is found, or a list or one of the
     *     image folders is missing
     */
    static Layout locate(Path root, Consumer<String> warn) {
      if (!Files.exists(root)) {
        throw new DatasetException(root, "VOC folder does not exist");
      }
      if (!Files.isDirectory(root)) {
        throw new DatasetException(root, "is not a folder (the VOC path must be the " + YEAR_FOLDER
            + " folder or the VOCdevkit folder above it)");
      }
      Path dir = null;
      List<Path> candidates = List.of(root, root.resolve(YEAR_FOLDER),
          root.resolve("VOCdevkit").resolve(YEAR_FOLDER));
      for (Path candidate : candidates) {
        if (Files.isDirectory(candidate.resolve("ImageSets"))
            || Files.isDirectory(candidate.resolve("JPEGImages"))) {
          dir = candidate;
          break;
        }
      }
      if (dir == null) {
        throw new DatasetException(root, "holds no PASCAL VOC layout: looked for ImageSets/ and"
            + " JPEGImages/ in " + candidates.stream().map(Path::toString).toList()
            + " (the path must be the " + YEAR_FOLDER + " folder or the VOCdevkit folder above"
            + " it)");
      }
      for (String folder : List.of("JPEGImages", "SegmentationClass")) {
        if (!Files.isDirectory(dir.resolve(folder))) {
          throw new DatasetException(dir.resolve(folder), "missing: a VOC folder holds the images"
              + " in JPEGImages/ and the class masks in SegmentationClass/");
        }
      }
      Path lists = dir.resolve("ImageSets").resolve("Segmentation");
      Path trainList = lists.resolve("train.txt");
      Path valList = lists.resolve("val.txt");
      List<String> trainIds = ids(trainList, warn);
      List<String> valIds = ids(valList, warn);
      Set<String> overlap = new LinkedHashSet<>(trainIds);
      overlap.retainAll(Set.copyOf(valIds));
      if (!overlap.isEmpty()) {
        warn.accept(valList + ": " + overlap.size() + " id(s) are also in " + trainList
            + ", so test images are trained on (the first: '" + overlap.iterator().next() + "')");
      }
      return new Layout(dir, trainList, valList, trainIds, valIds);
    }

    Path image(String id) {
      return dir.resolve("JPEGImages").resolve(id + ".jpg");
    }

    Path mask(String id) {
      return dir.resolve("SegmentationClass").resolve(id + ".png");
    }

    /** Checks each id's files by presence and headers; problems go to {@code problems}. */
    List<Pair> pairs(List<String> ids, Path list, Problems problems) {
      List<Pair> pairs = new ArrayList<>(ids.size());
      for (String id : ids) {
        Path image = image(id);
        Path mask = mask(id);
        boolean present = true;
        for (Path file : List.of(image, mask)) {
          if (!Files.isRegularFile(file)) {
            problems.add(missing(file, id, list));
            present = false;
          }
        }
        if (!present) {
          continue;
        }
        try {
          int[] size = ImageRaster.size(image);
          int[] maskSize = maskHeader(mask);
          Pair pair = new Pair(image, mask, size[0], size[1]);
          if (maskSize[0] != size[0] || maskSize[1] != size[1]) {
            throw sizeMismatch(pair, maskSize[0], maskSize[1]);
          }
          pairs.add(pair);
        } catch (DatasetException e) {
          problems.add(e);
        }
      }
      return pairs;
    }

    /**
     * The ids of a list file, blank lines skipped, each id kept once.
     *
     * @throws DatasetException if the file is missing or unreadable, a line is not one id, or it
     *     lists none
     */
    private static List<String> ids(Path list, Consumer<String> warn) {
      if (!Files.isRegularFile(list)) {
        throw new DatasetException(list, "missing: the " + split(list) + " split's id list"
            + " (PASCAL VOC 2012 has ImageSets/Segmentation/train.txt and val.txt)");
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(list, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new DatasetException(list, "cannot read the id list: " + e.getMessage(), e);
      }
      Set<String> ids = new LinkedHashSet<>();
      int repeated = 0;
      for (int i = 0; i < lines.size(); i++) {
        String id = lines.get(i).strip();
        if (id.isEmpty()) {
          continue;
        }
        if (id.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '\\')
            || id.equals("..")) {
          throw new DatasetException(list, "line " + (i + 1) + " is '" + id + "', not an image id"
              + " (one id per line, a file name without folder or extension)");
        }
        if (!ids.add(id)) {
          repeated++;
        }
      }
      if (repeated > 0) {
        warn.accept(list + ": " + repeated + " id(s) listed more than once; each is read once");
      }
      if (ids.isEmpty()) {
        throw new DatasetException(list, "lists no ids");
      }
      return List.copyOf(ids);
    }

    private static String split(Path list) {
      String name = list.getFileName().toString();
      return name.substring(0, name.length() - ".txt".length());
    }
  }

  /**
   * The width and height of a mask PNG from its IHDR chunk, checking that it holds indices.
   *
   * @throws DatasetException if it is no PNG, or a PNG of colours rather than indices
   */
  static int[] maskHeader(Path file) {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(26);
    } catch (IOException e) {
      throw new DatasetException(file, "cannot read the mask: " + e.getMessage(), e);
    }
    boolean png = head.length == 26;
    for (int i = 0; png && i < PNG_SIGNATURE.length; i++) {
      png = head[i] == PNG_SIGNATURE[i];
    }
    if (!png || head[12] != 'I' || head[13] != 'H' || head[14] != 'D' || head[15] != 'R') {
      throw new DatasetException(file, "is not a PNG file; VOC masks are palette PNGs whose index"
          + " is the class");
    }
    int width = readInt(head, 16);
    int height = readInt(head, 20);
    int colourType = head[25];
    if (colourType != PNG_PALETTE && colourType != PNG_GRAY) {
      String kind = switch (colourType) {
        case 2 -> "an RGB";
        case 4 -> "a grayscale-with-alpha";
        case 6 -> "an RGBA";
        default -> "a colour type " + colourType;
      };
      throw new DatasetException(file, "is " + kind + " PNG, but a VOC mask must store the class"
          + " as a palette index (a palette PNG, as VOC ships them, or a grayscale PNG of indices);"
          + " convert colour masks to palette indices (VOC colour of class k -> index k, border"
          + " colour -> 255) instead of saving them as colours");
    }
    return new int[] {width, height};
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
