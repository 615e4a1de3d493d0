#pragma once
// The images attached to the message being written, in order: a thumbnail each (click: the image
// viewer), an x badge on its corner to remove it, and its file name under it. GUI thread only.
#include "ui/composer/image_mime.h"

#include <QImage>
#include <QWidget>

class QHBoxLayout;

namespace vora::ui {

class AttachmentStrip : public QWidget {
    Q_OBJECT
public:
    static constexpr int kThumbnail = 72;

    explicit AttachmentStrip(QWidget* parent = nullptr);

    // Adds the images that decode, in order; returns how many were added.
    int add(const QList<NamedImage>& images);
    void removeAt(int index);
    void clear();
    int count() const { return static_cast<int>(m_images.size()); }
    QList<QByteArray> encodedImages() const;
    QStringList names() const;
    QImage image(int index) const { return m_decoded.at(index); }

Q_SIGNALS:
    void previewRequested(int index);
    void countChanged(int count);

private:
    void rebuild();
    QWidget* makeCell(int index);

    QHBoxLayout* m_layout;
    QList<NamedImage> m_images;
    QList<QImage> m_decoded;
};

} // namespace vora::ui
