#pragma once
// Turns the common ways people keep captioned images into the `vora train` JSON-lines format
// (docs/vora-format.md, "Training"), for the wizard's data step: a folder of images with sidecar .txt
// captions (photo.jpg + photo.txt), or a CSV with a header naming the columns image and caption (or
// answer) and optionally prompt. Frame paths are written relative to the folder the images live in
// (the image root). Any thread.
#include <QString>
#include <QStringList>

namespace vora::app {

struct ImportResult {
    int samples = 0;
    QStringList skipped; // "cat.png: no cat.txt beside it", "data.csv:7: 2 columns, expected 3"
};

// The question each sample asks when the source has none.
inline const QString kDefaultCaptionPrompt = QStringLiteral("Describe the image.");

// Writes outFile (replacing it). Throws JobError naming the folder or file when nothing can be read
// or written, or when no sample results.
ImportResult importCaptionFolder(const QString& imageFolder, const QString& outFile);
// CSV per RFC 4180 (quoted fields may hold commas, quotes and newlines). Image paths are relative to
// the CSV's folder, which becomes the image root.
ImportResult importCaptionCsv(const QString& csvFile, const QString& outFile);

} // namespace vora::app
