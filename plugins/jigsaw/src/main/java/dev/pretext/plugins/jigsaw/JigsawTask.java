package dev.pretext.plugins.jigsaw;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.GraphRunner;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Jigsaw puzzles (Noroozi and Favaro, 2016). Each image is cut into a k×k grid of tiles, each
 * cropped with random jitter inside its cell ({@link TileGrid}); the tiles are shuffled by one of a
 * fixed set of N permutations chosen for maximal Hamming distance ({@link PermutationSet}); every
 * tile goes through the suite's encoder (one shared-weight pass over {@code [N·T, C, th, tw]}), the
 * T representations are concatenated in position order, and an MLP classifier (linear, batch norm,
 * ReLU, linear) predicts which permutation was applied.
 *
 * <p>The representation the protocols evaluate is the same encoder applied to whole, untiled
 * images (placeholder {@value #IMAGES}, built under {@link GraphBuilder#ENCODER_SCOPE}); the tiles
 * go through the same encoder module ({@code EncoderModule}, application {@value #TILE_APPLICATION}:
 * same weights, batch-norm statistics of their own). A conv encoder with global average pooling is
 * size-independent, so what it learns on tiles applies to whole images, and the probe sees the
 * full-resolution image rather than a grid of crops with gaps.
 */
final class JigsawTask implements PretextTask {

  /** Whole images: the input of the evaluated representation (fed, unused, while training). */
  static final String IMAGES = "images";
  /** Every tile of the batch, {@code [N·T, C, th, tw]}, image by image, position by position. */
  static final String TILES = "tiles";
  /** The applied permutation's index, one-hot {@code [N, permutations]}. */
  static final String PERMUTATION = "permutation";
  /** The encoder module's application to tiles (its batch-norm statistics are the tiles' own). */
  static final String TILE_APPLICATION = "tiles";
  /** The permutation set, written with checkpoints and visuals. */
  static final String PERMUTATIONS_FILE = "permutations.json";

  private static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "logits", Set.of(Loss.Input.LOGITS), "labels", Set.of(Loss.Input.TARGETS));
  /** Images per inference batch of {@link #pretextMetrics}. */
  private static final int METRIC_BATCH = 256;

  private final JigsawSettings settings;
  private final TileGrid grid;
  private final Loss loss;
  private final long seed;
  private PermutationSet permutations;
  private String logitsName;

  JigsawTask(ComponentContext context) {
    Config c = context.config();
    String path = context.configPath();
    this.settings = JigsawSettings.from(c, path, context.imageShape());
    this.grid = settings.tileGrid();
    this.loss = context.components().createLoss(c, path, "jigsaw", ROLES,
        "a classification loss such as cross-entropy");
    this.seed = context.seed();
  }

  /** How images are cut. */
  TileGrid grid() {
    return grid;
  }

  /**
   * The permutation set, chosen from the run's seed on first use (not at creation, which must stay
   * cheap: the runtime creates every task once just to validate a suite) or restored by
   * {@link #loadState}.
   */
  synchronized PermutationSet permutations() {
    if (permutations == null) {
      permutations = PermutationSet.greedy(grid.tiles(), settings.permutations(), seed);
    }
    return permutations;
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    if (!shape.equals(grid.image())) {
      throw new IllegalArgumentException("jigsaw was configured for " + grid.image()
          + " images but is built for " + shape);
    }
    SameDiff sd = g.sameDiff();
    ImageShape tileShape = grid.tileShape();
    int count = settings.permutations();
    SDVariable images = g.placeholder(IMAGES, shape.batchShape());
    SDVariable tiles = g.placeholder(TILES, tileShape.batchShape());
    SDVariable labels = g.placeholder(PERMUTATION, -1, count);
    // One module, two applications: whole images (the representation) and tiles share every weight;
    // each keeps its own batch-norm statistics.
    EncoderModule module = encoder.create(g.scope(GraphBuilder.ENCODER_SCOPE), shape);
    SDVariable h = module.apply(images, shape, EncoderModule.MAIN).representation();
    SDVariable ht;
    try {
      ht = module.apply(tiles, tileShape, TILE_APPLICATION).representation();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("jigsaw applies one encoder to whole " + shape + " images and to "
          + tileShape + " tiles with the same weights: " + e.getMessage(), e);
    }

    long width = (long) grid.tiles() * module.representationSize();
    // Rows i·T … i·T+T−1 are image i's positions 0 … T−1: the reshape concatenates them in order.
    SDVariable x = ht.reshape(-1, width);
    GraphBuilder head = g.scope("jigsaw_head");
    if (settings.headHidden() > 0) {
      x = Ops.linear(head, "hidden", x, width, settings.headHidden());
      x = Ops.batchNorm(head, "hidden_bn", x, settings.headHidden());
      x = sd.nn().relu(x, 0);
      width = settings.headHidden();
    }
    SDVariable logits = Ops.linear(head, "logits", x, width, count).rename(head.name("logits"));
    SDVariable value = loss.build(head, Map.of("logits", logits, "labels", labels));
    logitsName = logits.name();
    return new TaskGraph(value.name(), h.name(), module.representationSize());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    Puzzles p = puzzles(images, random);
    int n = p.chosen.length;
    float[] onehot = new float[n * settings.permutations()];
    for (int i = 0; i < n; i++) {
      onehot[i * settings.permutations() + p.chosen[i]] = 1f;
    }
    return Map.of(
        IMAGES, images,
        TILES, p.tiles,
        PERMUTATION, Nd4j.create(onehot, new long[] {n, settings.permutations()}, 'c'));
  }

  /**
   * Writes {@value #PERMUTATIONS_FILE} and {@code jigsaw.png}: per held-out image, the image, its
   * shuffled tiles and the tiles put back by the inverse of the permutation the classifier predicts
   * (framed green when it is the applied one, red otherwise).
   */
  @Override
  public List<Path> writeVisuals(GraphRunner runner, SameDiff graph, TaskGraph taskGraph, INDArray images,
      Path folder) throws IOException {
    if (logitsName == null) {
      throw new IllegalStateException("writeVisuals before build");
    }
    Path json = permutations().write(folder.resolve(PERMUTATIONS_FILE), settings.grid());
    Puzzles p = puzzles(images, new Random(seed));
    int n = p.chosen.length;
    INDArray logits = graph.output(Map.of(TILES, p.tiles), logitsName).get(logitsName);
    int[] predicted = logits.argMax(1).toIntVector();
    int[][] guessed = new int[n][];
    int[] frames = new int[n];
    for (int i = 0; i < n; i++) {
      guessed[i] = permutations().get(predicted[i]);
      frames[i] = predicted[i] == p.chosen[i] ? PuzzlePicture.RIGHT : PuzzlePicture.WRONG;
    }
    float[] shuffled = p.tiles.dup('c').data().asFloat();
    int gap = 1;
    int side = grid.grid();
    int ah = side * grid.tileHeight() + (side - 1) * gap;
    int aw = side * grid.tileWidth() + (side - 1) * gap;
    int c = grid.image().channels();
    ImageShape image = grid.image();
    Path png = PuzzlePicture.write(folder.resolve("jigsaw.png"), n, List.of(
        new PuzzlePicture.Row(images.dup('c').data().asFloat(), c, image.height(), image.width(), null),
        new PuzzlePicture.Row(grid.assemble(shuffled, n, gap, 0.5f), c, ah, aw, null),
        new PuzzlePicture.Row(grid.assemble(grid.reassemble(shuffled, guessed), n, gap, 0.5f), c, ah, aw,
            frames)));
    return List.of(json, png);
  }

  /**
   * How well the trained network solves puzzles of held-out images (seeded, as in the visuals):
   * {@code puzzle_top1} and {@code puzzle_top5} accuracy over the N permutations (chance 1/N), and
   * the permutation set's {@code permutations_min_hamming}.
   */
  @Override
  public Map<String, Double> pretextMetrics(GraphRunner runner, SameDiff graph, TaskGraph taskGraph,
      INDArray images) {
    if (logitsName == null) {
      throw new IllegalStateException("pretextMetrics before build");
    }
    Random random = new Random(seed);
    int n = (int) images.size(0);
    // Batch norm's batch reductions fail on a single image in M2.1: never pass one alone.
    INDArray source = n == 1 ? Nd4j.concat(0, images, images) : images;
    int total = (int) source.size(0);
    int top1 = 0;
    int top5 = 0;
    for (int start = 0, end; start < total; start = end) {
      end = Math.min(total, start + METRIC_BATCH);
      if (total - end == 1) {
        end = total;
      }
      Puzzles p = puzzles(source.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(),
          NDArrayIndex.all(), NDArrayIndex.all()), random);
      INDArray logits = graph.output(Map.of(TILES, p.tiles), logitsName).get(logitsName);
      for (int i = 0; i < p.chosen.length && start + i < n; i++) {
        float[] row = logits.getRow(i).toFloatVector();
        float truth = row[p.chosen[i]];
        int above = 0;
        for (float v : row) {
          above += v > truth ? 1 : 0;
        }
        top1 += above == 0 ? 1 : 0;
        top5 += above < 5 ? 1 : 0;
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("puzzle_top1", n == 0 ? Double.NaN : (double) top1 / n);
    metrics.put("puzzle_top5", n == 0 ? Double.NaN : (double) top5 / n);
    metrics.put("permutations_min_hamming", (double) permutations().minimumDistance());
    return metrics;
  }

  /** Writes the permutation set, so the run folder records exactly the classes trained on. */
  @Override
  public void saveState(Path folder) throws IOException {
    permutations().write(folder.resolve(PERMUTATIONS_FILE), settings.grid());
  }

  /** Restores the permutation set a checkpoint was trained with. */
  @Override
  public synchronized void loadState(Path folder) throws IOException {
    Path file = folder.resolve(PERMUTATIONS_FILE);
    if (!Files.exists(file)) {
      throw new IOException("checkpoint lacks " + file);
    }
    PermutationSet saved = PermutationSet.read(file);
    if (saved.tiles() != grid.tiles() || saved.size() != settings.permutations()) {
      throw new IOException(file + " holds " + saved.size() + " permutations of " + saved.tiles()
          + " tiles, but the task is set up for " + settings.permutations() + " of " + grid.tiles());
    }
    permutations = saved;
  }

  /** Shuffles the tiles of every image by a random permutation of the set. */
  private Puzzles puzzles(INDArray images, Random random) {
    long[] shape = images.shape();
    ImageShape image = grid.image();
    if (shape.length != 4 || shape[1] != image.channels() || shape[2] != image.height()
        || shape[3] != image.width()) {
      throw new IllegalArgumentException("jigsaw was set up for " + image + " images, got a batch of "
          + java.util.Arrays.toString(shape));
    }
    PermutationSet set = permutations();
    int n = (int) shape[0];
    int[] chosen = new int[n];
    int[][] applied = new int[n][];
    for (int i = 0; i < n; i++) {
      chosen[i] = random.nextInt(set.size());
      applied[i] = set.get(chosen[i]);
    }
    int[] offsets = grid.offsets(n, random);
    float[] tiles = grid.cut(images.dup('c').data().asFloat(), applied, offsets);
    ImageShape t = grid.tileShape();
    return new Puzzles(chosen,
        Nd4j.create(tiles, new long[] {(long) n * grid.tiles(), t.channels(), t.height(), t.width()}, 'c'));
  }

  /** A batch of puzzles: each image's permutation index and all tiles {@code [N·T, C, th, tw]}. */
  private record Puzzles(int[] chosen, INDArray tiles) {}
}
