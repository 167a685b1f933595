namespace Dnnmm.Methods;

/// <summary>
/// Optional for a clustering method: a fitted method that writes itself into a run folder, so that a
/// later process can load it (through its registry entry in the runs layer) and predict, sample and encode
/// exactly as the fitted object did. Every baseline implements it; DNN-MM saves model.json and
/// checkpoint.bin while it trains instead.
/// </summary>
public interface ISavableMethod
{
    /// <summary>Writes the fitted model into <paramref name="runDir"/> (model.bin, then model.json), each atomically.</summary>
    void Save(string runDir);
}
