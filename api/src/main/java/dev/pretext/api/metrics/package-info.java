/**
 * Help for {@link dev.pretext.api.PretextTask#pretextMetrics}: {@link dev.pretext.api.metrics.ImageErrors}
 * computes pixel errors and PSNR between image batches.
 */
package dev.pretext.api.metrics;
