/**
 * Help for {@link dev.pretext.api.PretextTask#writeVisuals}: {@link dev.pretext.toolkit.visual.ImageGrid}
 * draws batches of images as rows of a PNG grid. Uses only the JDK's {@code javax.imageio}.
 */
package dev.pretext.toolkit.visual;
