package dev.pretext.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the embedded Fashion-MNIST sample: a stratified random subset of the official train and
 * test files, written as the four gzipped IDX files that {@link FashionMnist.Source#EMBEDDED}
 * reads.
 *
 * <p>Usage: {@code SampleMaker <source folder> <output folder> <train per class> <test per class>
 * <seed>}; the shipped sample was made with {@code /usr/share/datasets/fashion-mnist
 * runtime/src/main/resources/dev/pretext/runtime/data/fashion-mnist-sample 600 100 42}. Each split
 * is sampled with {@link ImageSet#stratifiedIndices} and the given seed, and the chosen images keep
 * their original order, so the same arguments always give byte-identical files.
 */
public final class SampleMaker {

  private static final String USAGE =
      "usage: SampleMaker <source folder> <output folder> <train per class> <test per class>"
          + " <seed>";

  private SampleMaker() {}

  /** Runs the sample maker; exits with 2 on bad arguments and 1 when the data cannot be read. */
  public static void main(String[] args) {
    if (args.length != 5) {
      System.err.println(USAGE);
      System.exit(2);
    }
    int trainPerClass;
    int testPerClass;
    long seed;
    try {
      trainPerClass = Integer.parseInt(args[2]);
      testPerClass = Integer.parseInt(args[3]);
      seed = Long.parseLong(args[4]);
    } catch (NumberFormatException e) {
      System.err.println("not a number: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    }
    try {
      make(Path.of(args[0]), Path.of(args[1]), trainPerClass, testPerClass, seed)
          .forEach(System.out::println);
    } catch (DatasetException | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }

  /**
   * Writes the sample of {@code sourceFolder} into {@code outputFolder}, creating it if needed, and
   * returns one line per split saying what was written.
   */
  static List<String> make(
      Path sourceFolder, Path outputFolder, int trainPerClass, int testPerClass, long seed) {
    try {
      Files.createDirectories(outputFolder);
    } catch (IOException e) {
      throw new DatasetException(outputFolder, "cannot create the output folder: " + e, e);
    }
    return List.of(
        sampleSplit(
            sourceFolder,
            outputFolder,
            FashionMnist.TRAIN_IMAGES,
            FashionMnist.TRAIN_LABELS,
            trainPerClass,
            seed),
        sampleSplit(
            sourceFolder,
            outputFolder,
            FashionMnist.TEST_IMAGES,
            FashionMnist.TEST_LABELS,
            testPerClass,
            seed));
  }

  private static String sampleSplit(
      Path sourceFolder,
      Path outputFolder,
      String imagesName,
      String labelsName,
      int perClass,
      long seed) {
    Path imagesFile = FashionMnist.requireFile(sourceFolder, imagesName);
    Path labelsFile = FashionMnist.requireFile(sourceFolder, labelsName);
    IdxReader.Images images = IdxReader.readImages(imagesFile);
    int[] labels = IdxReader.readLabels(labelsFile);
    FashionMnist.checkPair(
        images, labels, IdxReader.Origin.of(imagesFile), IdxReader.Origin.of(labelsFile));

    int[] chosen =
        ImageSet.stratifiedIndices(labels, FashionMnist.CLASS_NAMES.size(), perClass, seed);
    int[] chosenLabels = new int[chosen.length];
    for (int i = 0; i < chosen.length; i++) {
      chosenLabels[i] = labels[chosen[i]];
    }
    Path imagesOut = outputFolder.resolve(imagesName + ".gz");
    Path labelsOut = outputFolder.resolve(labelsName + ".gz");
    IdxWriter.writeImages(imagesOut, images.select(chosen));
    IdxWriter.writeLabels(labelsOut, chosenLabels);
    return String.format(
        "%s: %d of %d images (%d per class, seed %d) -> %s, %s",
        imagesName, chosen.length, images.count(), perClass, seed, imagesOut, labelsOut);
  }
}
