/**
 * {@link dev.pretext.api.graph.GraphBuilder}: a scoped, seeded builder of one SameDiff graph, with
 * the batch statistics the runtime calibrates. Layer helpers built on it live in the toolkit
 * ({@code dev.pretext.toolkit.graph}).
 */
package dev.pretext.api.graph;
