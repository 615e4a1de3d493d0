#pragma once
// The options of `vora train` as the app sees them: read from `vora train --options-json` (the one
// declaration of train options lives in the trainer; the app never keeps its own copy), and the
// command line built from a set of chosen values. Value type; any thread.
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace vora::app {

struct TrainOptionInfo {
    QString flag;  // "lora-rank" for --lora-rank
    QString type;  // path | text | choice | integer | number | switch | path_list | choice_list
    QString group; // the form section ("data", "lora", ...)
    QString valueName;
    QString help;
    QJsonValue defaultValue;
    bool required = false;
    bool repeatable = false;
    bool saved = true; // part of the run's saved config (false: how to run, e.g. --resume)
    QStringList choices;
    std::optional<double> min;
    std::optional<double> max;
    bool minExclusive = false;
};

class TrainOptionCatalog {
public:
    // json: what `vora train --options-json` prints. Throws JobError naming source and the bad entry.
    static TrainOptionCatalog fromJson(const QByteArray& json, const QString& source);
    // Runs `voraExecutable train --options-json`. Throws JobError with its stderr when it fails.
    static TrainOptionCatalog load(const QString& voraExecutable);

    const QList<TrainOptionInfo>& options() const { return m_options; }
    const TrainOptionInfo* find(const QString& flag) const;

    // The arguments after `vora`, starting with "train", in the declaration's order. values: flag ->
    // a JSON value of the option's type (a switch: true/false; a list: an array). Throws JobError
    // naming the flag for an unknown option, a value of the wrong type, outside its range or choices,
    // and for a required option without a value.
    QStringList arguments(const QJsonObject& values) const;

private:
    QList<TrainOptionInfo> m_options;
};

// program and arguments as one line a POSIX shell runs unchanged (single quotes where needed), for
// the user to copy.
QString shellCommandLine(const QString& program, const QStringList& arguments);

} // namespace vora::app
