package dev.pretext.runtime.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What produced one result entry: every component it used with the plugin jar that provided it,
 * and every data file it read, each with its SHA-256. {@code --resume} compares these with what a
 * run would use now, so that one table never mixes entries of different jars or data files
 * unnoticed.
 *
 * @param components the encoder, the task and the components nested in it (loss, sampler,
 *     augmentations), in that order; empty for raw pixels
 * @param data the files of the data it was pretrained and evaluated on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Provenance(List<Component> components, List<DataFile> data) {

  public Provenance {
    components = List.copyOf(components);
    data = List.copyOf(data);
  }

  /**
   * One component and where its code came from.
   *
   * @param kind e.g. {@code encoder}, {@code task}
   * @param plugin the providing plugin's name
   * @param version the plugin's version (its descriptor's)
   * @param jar the file name of the jar holding the plugin's entry class; for a classpath plugin
   *     loaded from a class folder (tests, an IDE), that folder's path
   * @param sha256 of the jar; of a class folder, the SHA-256 of its listing ("relative/path
   *     SHA-256" per file, sorted by path); null when it cannot be read
   * @param libraries the other jars of its plugin folder, which its class loader reads too, by file
   *     name; empty for a bare jar or a classpath plugin; null in entries written before they were
   *     recorded
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Component(String kind, String type, String plugin, String version, String jar, String sha256,
      List<Library> libraries) {

    public Component {
      libraries = libraries == null ? null : List.copyOf(libraries);
    }
  }

  /**
   * A library jar bundled in a plugin folder beside the plugin's own jar.
   *
   * @param jar its file name
   * @param sha256 its SHA-256; null when it cannot be read
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Library(String jar, String sha256) {}

  /**
   * One data file, or an image folder as a whole.
   *
   * @param block the suite block that named it, e.g. {@code suite.data}
   * @param file its path, or the classpath resource of the embedded sample, or the image folder
   * @param bytes its size (an image folder: of all its images)
   * @param sha256 its SHA-256; an image folder's is that of its listing ("relative/path SHA-256" per
   *     image, sorted by path)
   * @param images for an image folder, how many images the digest covers; null for a file
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DataFile(String block, String file, long bytes, String sha256, Integer images) {

    /** What identifies the file across runs: its block and its name (the folder may move). */
    public String key() {
      String name = images != null ? "(image folder)" : file.substring(Math.max(file.lastIndexOf('/'), 0));
      return block + " " + name.replaceFirst("^/", "");
    }
  }
}
