#pragma once
// "What the model sees": the attached image padded to a black square, resized to the model's input
// size, with the patch grid over it and the number of vision tokens it costs. GUI thread only.
#include <QDialog>

namespace vora::ui {

class ModelViewDialog : public QDialog {
    Q_OBJECT
public:
    ModelViewDialog(const QImage& image, int imageSize, int patchSize, QWidget* parent = nullptr);

    // The model view at displaySize pixels (0: imageSize) with the patch grid drawn on at that size,
    // so the lines stay one pixel sharp (exposed for tests).
    static QImage renderWithGrid(const QImage& image, int imageSize, int patchSize, int displaySize = 0);
    static QString tokenSummary(int imageSize, int patchSize); // "32x32 = 1024 tokens"
};

} // namespace vora::ui
