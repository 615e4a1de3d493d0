#include "app/models/model_card.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace vora::app {

ModelCard readModelCard(const QString& modelDir, bool seesImages)
{
    QFile file(QDir(modelDir).filePath(QStringLiteral("config.json")));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QJsonObject config = QJsonDocument::fromJson(file.readAll()).object();
    ModelCard card;
    card.isDemo = config.value(QStringLiteral("vora_studio_demo")).toBool(false);
    card.note = config.value(QStringLiteral("demo_model_note")).toString().trimmed();
    if (card.isDemo && card.note.isEmpty()) {
        // A text-only demo folder is the demo's base before its vision training (docs/studio.md): never
        // claim it sees what it cannot.
        card.note = seesImages
            ? QCoreApplication::translate("vora::app::ModelCard",
                                          "This is VoRA Studio's small demo model. It was taught simple pictures: "
                                          "coloured shapes (how many, which colour, which shape, where) and written "
                                          "numbers. It knows little else and makes mistakes.")
            : QCoreApplication::translate("vora::app::ModelCard",
                                          "This is the base of VoRA Studio's demo model, a small text model that has "
                                          "not been taught to see yet. Expect short, simple and sometimes wrong answers.");
    }
    return card;
}

} // namespace vora::app
