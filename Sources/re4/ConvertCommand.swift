import ArgumentParser
import Foundation
import Re4CLI
import Re4Core

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a PyTorch state dict (.pt/.pth, torch.save's zip format) to safetensors.",
        discussion: """
            Reads the file with a restricted unpickler that runs nothing (docs/interop.md): only tensors, \
            storages and OrderedDict are read, a state dict nested under one key is found, any other Python \
            global is refused by name. Every tensor is written as float32 under its name.

            Example:
              re4 convert model.pt model.safetensors
            """)
    @Argument(help: "The PyTorch file.") var input: String
    @Argument(help: "The safetensors file to write.") var output: String

    func run() throws {
        let outputs = try OutputSet(outputs: [output], inputs: [input])
        let st = try TorchCheckpoint.read(path: input)
        try outputs.stage(output) { try SafeTensors(metadata: [:], tensors: st.tensors).write(path: $0) }
        try outputs.commit()
        print("wrote \(output): \(st.tensors.count) tensors (\(st.tensors.values.reduce(0) { $0 + $1.count }) values)")
    }
}
