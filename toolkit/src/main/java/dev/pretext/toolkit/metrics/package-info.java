/**
 * Help for {@link dev.pretext.api.PretextTask#pretextMetrics}: {@link dev.pretext.toolkit.metrics.ImageErrors}
 * computes pixel errors and PSNR between image batches.
 */
package dev.pretext.toolkit.metrics;
