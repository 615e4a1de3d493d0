// The viewer's exports (attention_export.h) of the current image and aggregation: overlays, contact
// sheet and animation of rollout too once it is computed; raw grids only of the maps captured while answering.
#include "ui/attention/attention_viewer.h"

#include "app/attention/attention_export.h"

#include <QBuffer>
#include <QComboBox>
#include <QFileDialog>
#include <QJsonDocument>
#include <QMessageBox>
#include <QSaveFile>

#include <stdexcept>

namespace vora::ui {

using namespace vora::app;

bool AttentionViewer::exportTo(Export kind, const QString& path, QString* error)
{
    const int image = std::max(0, m_image->currentIndex());
    QByteArray bytes;
    try {
        if (showingRollout() && (!m_rollout || m_rollout->state() != RolloutRequester::State::Ready)) {
            throw std::invalid_argument(tr("The rollout is not computed yet.").toStdString());
        }
        if (showingRollout() && (kind == Export::GridsCsv || kind == Export::GridsJson)) {
            throw std::invalid_argument(tr("Raw grids export the maps captured while answering; choose that aggregation.").toStdString());
        }
        QList<QImage> frames;
        QStringList labels;
        if (kind == Export::ContactSheetPng || kind == Export::AnimationApng) {
            for (int i = 0; i < m_attention.tokens.size(); ++i) {
                frames.append(overlayFor(i));
                labels.append(chipText(m_attention.tokens[i].text));
            }
        }
        switch (kind) {
        case Export::OverlayPng:
        case Export::ContactSheetPng: {
            const QImage picture = kind == Export::OverlayPng ? overlayFor(m_token) : contactSheet(frames, labels, 6);
            QBuffer buffer(&bytes);
            buffer.open(QIODevice::WriteOnly);
            picture.save(&buffer, "PNG");
            break;
        }
        case Export::AnimationApng:
            bytes = assembleApng(frames, kPlayIntervalMs);
            break;
        case Export::GridsCsv:
            bytes = attentionCsv(m_attention, image, selection());
            break;
        case Export::GridsJson:
            bytes = QJsonDocument(attentionJson(m_attention, image, selection())).toJson(QJsonDocument::Indented);
            break;
        }
    } catch (const std::exception& failure) {
        if (error) {
            *error = QString::fromUtf8(failure.what());
        }
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) {
            *error = tr("Could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}

void AttentionViewer::chooseExport(Export kind)
{
    const QString filter = kind == Export::GridsCsv ? tr("CSV (*.csv)") : kind == Export::GridsJson ? tr("JSON (*.json)") : tr("PNG (*.png)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export attention"), QString(), filter);
    QString error;
    if (!path.isEmpty() && !exportTo(kind, path, &error)) {
        QMessageBox::warning(this, tr("Export failed"), error);
    }
}

} // namespace vora::ui
