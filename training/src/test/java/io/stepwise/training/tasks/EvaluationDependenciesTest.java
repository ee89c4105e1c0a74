package io.stepwise.training.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.cli.EvaluateCommand;
import io.stepwise.training.cli.VerifyCommand;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.tasks.training.ModelTraining;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Evaluating an exported model never needs training code: every class that {@code stepwise evaluate},
 * {@code stepwise verify}, {@link ModelEvaluation} and the packages {@code tasks} and {@code tasks.protocol}
 * reach, following the references in their compiled classes, is outside {@code io.stepwise.training.train} (the
 * loop, optimizer, checkpoints) and {@code io.stepwise.training.tasks.training} (the training tasks and runs).
 *
 * <p>The walk does not enter the command-line package beyond the two commands: the shell they share with
 * {@code train} ({@code StepwiseCli}) lists every command by design.
 */
class EvaluationDependenciesTest {
    private static final String STEPWISE = "io/stepwise/training/";
    private static final List<String> TRAINING_CODE = List.of(STEPWISE + "train/", STEPWISE + "tasks/training/");
    private static final String CLI = STEPWISE + "cli/";
    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L(io/stepwise/training/[\\w/$]+);");

    /** The Stepwise training-module classes a compiled class refers to (internal names, e.g. a/b/C$D). */
    static Set<String> references(String internalName) throws IOException {
        Set<String> found = new LinkedHashSet<>();
        try (InputStream raw = EvaluationDependenciesTest.class.getClassLoader()
                .getResourceAsStream(internalName + ".class")) {
            if (raw == null) {
                throw new IOException("no compiled class " + internalName);
            }
            DataInputStream in = new DataInputStream(raw);
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(internalName + " is not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            List<String> utf8 = new ArrayList<>();
            List<Integer> classNameIndexes = new ArrayList<>();
            Map<Integer, String> strings = new LinkedHashMap<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> {
                        String s = in.readUTF();
                        utf8.add(s);
                        strings.put(i, s);
                    }
                    case 7 -> classNameIndexes.add(in.readUnsignedShort());
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 15 -> in.skipNBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                    case 5, 6 -> {
                        in.skipNBytes(8);
                        i++;
                    }
                    default -> throw new IOException(internalName + ": unknown constant pool tag " + tag);
                }
            }
            for (int index : classNameIndexes) {
                String name = strings.get(index).replaceFirst("^\\[+L?", "").replaceFirst(";$", "");
                if (name.startsWith(STEPWISE)) {
                    found.add(name);
                }
            }
            for (String s : utf8) {
                Matcher m = DESCRIPTOR_CLASS.matcher(s);
                while (m.find()) {
                    found.add(m.group(1));
                }
            }
        }
        found.remove(internalName);
        return found;
    }

    /**
     * Walks the references from {@code roots}, not entering the command-line package except at the roots;
     * returns each training class reached (other than a root) with the chain that reaches it.
     */
    static Map<String, String> trainingCodeReached(Set<String> roots) throws IOException {
        Map<String, String> via = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        for (String root : roots) {
            via.put(root, root);
            queue.add(root);
        }
        Map<String, String> reached = new LinkedHashMap<>();
        while (!queue.isEmpty()) {
            String current = queue.poll();
            if (!roots.contains(current) && TRAINING_CODE.stream().anyMatch(current::startsWith)) {
                reached.put(current, via.get(current));
                continue;
            }
            for (String next : references(current)) {
                if (!via.containsKey(next) && (!next.startsWith(CLI) || roots.contains(next))) {
                    via.put(next, via.get(current) + " → " + next);
                    queue.add(next);
                }
            }
        }
        return reached;
    }

    private static String internal(Class<?> type) {
        return type.getName().replace('.', '/');
    }

    /** Every class compiled into the package of {@code member} (not its sub-packages). */
    private static Set<String> packageClasses(Class<?> member) throws IOException {
        Path classes;
        try {
            classes = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        String folder = member.getPackageName().replace('.', '/');
        Path dir = classes.resolve(folder);
        assertTrue(Files.isDirectory(dir), "expected compiled classes in " + dir);
        Set<String> names = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .forEach(n -> names.add(folder + "/" + n.substring(0, n.length() - ".class".length())));
        }
        return names;
    }

    @Test
    void evaluateAndVerifyReachNoTrainingCode() throws IOException {
        Set<String> roots = new LinkedHashSet<>(List.of(internal(EvaluateCommand.class),
                internal(VerifyCommand.class), internal(ModelEvaluation.class)));
        roots.addAll(packageClasses(ModelEvaluation.class));
        roots.addAll(packageClasses(EvaluationProtocol.class));
        Map<String, String> reached = trainingCodeReached(roots);
        assertEquals(Map.of(), reached, "evaluation code must not depend on training code; reached (with the "
                + "chain of references): " + reached);
    }

    /** The walk finds training code where there is some, so the test above can fail. */
    @Test
    void theWalkFindsTrainingCodeWhereItIs() throws IOException {
        Set<String> references = references(internal(ModelTraining.class));
        assertTrue(references.contains("io/stepwise/training/train/Trainer"), references.toString());
        Map<String, String> reached = trainingCodeReached(Set.of(internal(ModelTraining.class)));
        assertTrue(reached.containsKey("io/stepwise/training/train/Trainer"), reached.toString());
        assertFalse(trainingCodeReached(Set.of(internal(TaskKind.class))).containsKey(
                "io/stepwise/training/train/Trainer"));
    }
}
