package dev.cltrain.data;

/**
 * The data options of {@code cltrain train}, resolved by {@link DataSets#load(DataOptions)}.
 *
 * @param data a built-in name (xor, and, or), {@code random:ROWSxINPUTSxCLASSES} ({@link Generated}), a folder
 *     of MNIST IDX files, or a CSV file
 * @param targets plain CSV: the last {@code targets} columns are the targets
 * @param classification CSV: the last column is an integer class label 0..K−1, turned into one-hot targets
 * @param classes K for classification, or 0 to infer it as max label + 1 (at least 2)
 * @param test a CSV file read like the training CSV to serve as the test set, or null
 * @param validationSplit fraction of the training rows to hold out for validation, in [0, 1); 0 = none
 * @param seed {@code np.random.seed} for the permutation that chooses the validation rows, and for a
 *     generated set's draws
 */
public record DataOptions(String data, int targets, boolean classification, int classes, String test,
    double validationSplit, long seed) {}
