using System.Runtime.CompilerServices;

// The t-SNE tests check internal pieces (Barnes-Hut gradient against the exact one, sparse P, PCA init) directly.
// InternalsVisibleTo allows multiple instances, so this does not clash with one declared elsewhere.
[assembly: InternalsVisibleTo("Dnnmm.Tests")]
