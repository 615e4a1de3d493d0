#pragma once
// The image viewer: the image as it is and what the model sees of it (padded to a black square,
// resized to the model's input, with the patch grid), side by side at the same size, so a 56-pixel
// model input is shown upscaled, never as a postage stamp. Opens from any image, sent or attached.
// Resizable; both panes scale with the window. GUI thread only.
#include <QDialog>
#include <QImage>

class QCheckBox;

namespace vora::ui {

// One image scaled to fit the widget (aspect ratio kept), centred; optionally with a patch grid.
class ScaledImageView : public QWidget {
    Q_OBJECT
public:
    explicit ScaledImageView(QWidget* parent = nullptr);

    // pixelated: nearest-neighbour scaling (shows the model's pixels as they are).
    void setImage(const QImage& image, bool pixelated);
    void setGrid(int cellsPerSide) { m_grid = cellsPerSide; update(); }
    QRect shownRect() const; // where the image is drawn, in widget coordinates
    QSize sizeHint() const override { return {420, 420}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage m_image;
    bool m_pixelated = false;
    int m_grid = 0;
};

class ImageViewerDialog : public QDialog {
    Q_OBJECT
public:
    // imageSize, patchSize: the loaded model's input geometry (app/inference/model_view_image.h);
    // modelSees: false for a text-only model (the pane then says what a VoRA model would see).
    ImageViewerDialog(const QImage& image, const QString& name, int imageSize, int patchSize, bool modelSees = true,
                      QWidget* parent = nullptr);

    ScaledImageView* originalView() const { return m_original; }
    ScaledImageView* modelView() const { return m_model; }

    static QString tokenSummary(int imageSize, int patchSize); // "32x32 = 1024 tokens"

private:
    ScaledImageView* m_original;
    ScaledImageView* m_model;
    QCheckBox* m_showGrid;
};

} // namespace vora::ui
