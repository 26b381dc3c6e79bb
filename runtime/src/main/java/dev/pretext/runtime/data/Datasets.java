package dev.pretext.runtime.data;

import dev.pretext.runtime.Stratified;
import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.config.Suite;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** Loads the data a suite's data block describes, whichever dataset it names. */
public final class Datasets {

  private Datasets() {}

  /**
   * The labeled train and test splits of a data block, limits applied (stratified, seeded).
   *
   * @param warn receives warnings such as skipped image files
   * @throws DatasetException if the data cannot be found or read
   */
  public static FashionMnist.Split labeled(Suite.DataSettings settings, long seed,
      Consumer<String> warn) {
    Path path = settings.path().isBlank() ? null : Path.of(settings.path());
    int channels = settings.effectiveChannels();
    FashionMnist.Split split = switch (settings.dataset()) {
      case "fashion-mnist" -> {
        FashionMnist.Source source = settings.source().equals("full")
            ? FashionMnist.Source.FULL : FashionMnist.Source.EMBEDDED;
        FashionMnist.Split all = FashionMnist.load(source, path);
        yield new FashionMnist.Split(limit(all.train(), settings.trainLimit(), seed),
            limit(all.test(), settings.testLimit(), seed + 1));
      }
      // Limits are applied to the raw bytes, so 50,000 images are never all turned into floats.
      case "cifar10" -> Cifar10.load(path, limiter(settings.trainLimit(), seed),
          limiter(settings.testLimit(), seed + 1));
      case "image-folder" -> ImageFolder.loadLabeled(path, channels, settings.imageSize(),
          settings.testFraction(), settings.trainLimit(), settings.testLimit(), seed, warn);
      default -> throw new IllegalArgumentException("unknown dataset " + settings.dataset());
    };
    return new FashionMnist.Split(withChannels(split.train(), channels),
        withChannels(split.test(), channels));
  }

  /** The train and test scenes of the segmentation protocol. */
  public record Scenes(SegmentationSet train, SegmentationSet test) {}

  /**
   * The scenes {@code suite.evaluation.segmentation.data} describes, built or read
   * deterministically from {@code seed}, with the block's channels.
   *
   * @param dataPath where {@code suite.data} finds Fashion-MNIST, used when the block names no path
   * @throws DatasetException if the data cannot be found or read
   */
  public static Scenes segmentation(SegmentationSettings.SceneData d, String dataPath, long seed,
      Consumer<String> warn) {
    Scenes scenes = switch (d.dataset()) {
      case "fashion-mnist-scenes" -> {
        String folder = d.path().isBlank() ? dataPath : d.path();
        FashionMnist.Split garments = FashionMnist.load(d.source().equals("full")
            ? FashionMnist.Source.FULL : FashionMnist.Source.EMBEDDED, folder.isBlank() ? null : Path.of(folder));
        GarmentScenes.Built built = GarmentScenes.build(garments, new GarmentScenes.Settings(d.canvasSize(),
            d.minGarments(), d.maxGarments(), d.minScale(), d.maxScale(), d.threshold(), d.trainScenes(),
            d.testScenes()), seed);
        yield new Scenes(built.train().set(), built.test().set());
      }
      case "voc-segmentation" -> {
        VocSegmentation.Split split = VocSegmentation.load(Path.of(d.path()), new VocSegmentation.Settings(
            d.imageSize(), d.trainLimit(), d.testLimit(), d.effectiveChannels()), seed, warn);
        yield new Scenes(split.train(), split.test());
      }
      default -> throw new IllegalArgumentException("unknown segmentation dataset " + d.dataset());
    };
    return new Scenes(withChannels(scenes.train(), d.effectiveChannels()),
        withChannels(scenes.test(), d.effectiveChannels()));
  }

  /**
   * Checks the scenes' source where {@link #segmentation} would read it, without building or
   * decoding the scenes: Fashion-MNIST's files (garment scenes) or every listed VOC image and mask
   * header.
   *
   * @throws DatasetException naming the first bad file (or the places searched) and what is wrong
   */
  public static String inspectScenes(SegmentationSettings.SceneData d, String dataPath, Consumer<String> warn) {
    if (d.dataset().equals("voc-segmentation")) {
      return "VOC layout: " + VocSegmentation.inspect(Path.of(d.path()), warn);
    }
    String folder = d.path().isBlank() ? dataPath : d.path();
    if (!d.source().equals("full")) {
      return "garment scenes from the Fashion-MNIST embedded sample (in the runtime jar)";
    }
    Path found = FashionMnist.locate(folder.isBlank() ? null : Path.of(folder), System::getenv,
        FashionMnist.SYSTEM_FOLDER);
    return "garment scenes from Fashion-MNIST in " + found + ": " + FashionMnist.inspectFolder(found, warn);
  }

  private static SegmentationSet withChannels(SegmentationSet set, int channels) {
    if (set.shape().channels() == channels) {
      return set;
    }
    return new SegmentationSet(withChannels(set.images(), channels),
        toBytes(set.masksOf(java.util.stream.IntStream.range(0, set.size()).toArray())), set.classNames(),
        set.description() + (channels == 1 ? ", as luma" : ", gray as RGB"));
  }

  private static byte[] toBytes(int[] labels) {
    byte[] bytes = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      bytes[i] = (byte) labels[i];
    }
    return bytes;
  }

  /**
   * The images a method pretrains on: patches of an image folder, an unlabeled folder's images,
   * or a dataset's training split (its test split then being the held-out images).
   */
  public static PretrainingData pretraining(Suite.DataSettings settings, long seed,
      Consumer<String> warn) {
    int channels = settings.effectiveChannels();
    if (settings.dataset().equals("image-folder")) {
      Path root = Path.of(settings.path());
      if (settings.patchSize() > 0) {
        return PatchSampler.sample(root, new PatchSampler.Settings(settings.patchSize(),
            settings.patches(), settings.heldOut(), settings.shortSide()), channels, seed, warn);
      }
      if (settings.labels().equals("none")) {
        return ImageFolder.loadUnlabeled(root, channels, settings.imageSize(), settings.heldOut(),
            settings.trainLimit(), seed, warn);
      }
    }
    FashionMnist.Split split = labeled(settings, seed, warn);
    return new PretrainingData(split.train(), split.test(), split.train().description() + " ("
        + split.train().size() + " images of " + split.train().shape() + ")");
  }

  /**
   * Checks the data a block names where {@link #labeled} and {@link #pretraining} would read it,
   * without loading the images: IDX headers, magic numbers, sizes, each file's length and the
   * labels of Fashion-MNIST; the record sizes and label bytes of CIFAR-10; the images and class
   * folders of an image folder, each image's header read. The readers' own checks and messages.
   *
   * @param warn receives warnings (files a run would skip or ignore)
   * @return where the data is and what it holds, in a line
   * @throws DatasetException naming the first bad file (or the places searched) and what is wrong
   */
  public static String inspect(Suite.DataSettings settings, Consumer<String> warn) {
    Path path = settings.path().isBlank() ? null : Path.of(settings.path());
    return switch (settings.dataset()) {
      case "fashion-mnist" -> {
        if (!settings.source().equals("full")) {
          yield "Fashion-MNIST embedded sample (in the runtime jar)";
        }
        Path folder = FashionMnist.locate(path, System::getenv, FashionMnist.SYSTEM_FOLDER);
        yield "Fashion-MNIST in " + folder + ": " + FashionMnist.inspectFolder(folder, warn);
      }
      case "cifar10" -> {
        Path folder = Cifar10.locate(path, System::getenv, Cifar10.SYSTEM_FOLDER);
        yield "CIFAR-10 in " + folder + ": " + Cifar10.inspectFolder(folder);
      }
      // Patches are cut from every image below the folder, class folders or not.
      case "image-folder" -> "image folder " + path + ": " + ImageFolder.inspect(path,
          settings.labels().equals("folders") && settings.patchSize() == 0, warn);
      default -> throw new IllegalArgumentException("unknown dataset " + settings.dataset());
    };
  }

  /**
   * The files on disk a block's images are read from, found where a run finds them, in a fixed
   * order: Fashion-MNIST's four IDX files, CIFAR-10's batch files, every image below an image
   * folder (sorted by relative path). Empty for the embedded sample, which is in the runtime jar
   * ({@link FashionMnist#embeddedResources}).
   *
   * @throws DatasetException if the data cannot be found
   */
  public static List<Path> files(Suite.DataSettings settings) {
    Path path = settings.path().isBlank() ? null : Path.of(settings.path());
    return switch (settings.dataset()) {
      case "fashion-mnist" -> settings.source().equals("full") ? FashionMnist.files(path) : List.of();
      case "cifar10" -> Cifar10.files(path);
      case "image-folder" -> ImageFolder.list(path).images();
      default -> throw new IllegalArgumentException("unknown dataset " + settings.dataset());
    };
  }

  /** A stratified, seeded subset of at most {@code limit} images (0 = all). */
  public static ImageSet limit(ImageSet set, int limit, long seed) {
    if (limit <= 0 || limit >= set.size()) {
      return set;
    }
    return set.subset(Stratified.indices(set.labels(), limit, seed));
  }

  /**
   * The same images with {@code channels} channels: gray repeated into RGB, or RGB turned into
   * Rec. 601 luma.
   */
  public static ImageSet withChannels(ImageSet set, int channels) {
    int have = set.shape().channels();
    if (have == channels) {
      return set;
    }
    if (!(have == 1 && channels == 3 || have == 3 && channels == 1)) {
      throw new IllegalArgumentException("cannot turn " + have + " channels into " + channels);
    }
    float[] in = set.pixelArray();
    int plane = set.shape().height() * set.shape().width();
    float[] out = new float[Math.multiplyExact(set.size(), channels * plane)];
    for (int n = 0; n < set.size(); n++) {
      int from = n * have * plane;
      int to = n * channels * plane;
      if (channels == 3) {
        for (int c = 0; c < 3; c++) {
          System.arraycopy(in, from, out, to + c * plane, plane);
        }
      } else {
        for (int i = 0; i < plane; i++) {
          float luma = ImageRaster.LUMA_R * in[from + i] + ImageRaster.LUMA_G * in[from + plane + i]
              + ImageRaster.LUMA_B * in[from + 2 * plane + i];
          out[to + i] = Math.min(1f, Math.max(0f, luma));
        }
      }
    }
    return ImageSet.fromFloats(out, set.size(), set.shape().withChannels(channels),
        set.hasLabels() ? set.labels() : null, set.classNames(),
        set.description() + (channels == 1 ? ", as luma" : ", gray as RGB"));
  }

  private static Function<int[], int[]> limiter(int limit, long seed) {
    return labels -> limit <= 0 || limit >= labels.length ? null
        : Stratified.indices(labels, limit, seed);
  }
}
