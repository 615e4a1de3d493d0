#pragma once
// The images attached to the message being written: thumbnails, each with a remove button; clicking a
// thumbnail asks for the "what the model sees" preview. GUI thread only.
#include <QImage>
#include <QWidget>

class QHBoxLayout;

namespace vora::ui {

class AttachmentStrip : public QWidget {
    Q_OBJECT
public:
    explicit AttachmentStrip(QWidget* parent = nullptr);

    // Adds encoded images that decode; returns how many were added.
    int add(const QList<QByteArray>& encodedImages);
    void removeAt(int index);
    void clear();
    int count() const { return static_cast<int>(m_encoded.size()); }
    QList<QByteArray> encodedImages() const { return m_encoded; }
    QImage image(int index) const { return m_images.at(index); }

Q_SIGNALS:
    void previewRequested(int index);
    void countChanged(int count);

private:
    void rebuild();

    QHBoxLayout* m_layout;
    QList<QByteArray> m_encoded;
    QList<QImage> m_images;
};

} // namespace vora::ui
