/*
 * OwlCheck: the OWL 2 DL profile check of the OWL API and a HermiT consistency / satisfiability
 * check of one ontology document, reported as one JSON object on stdout.
 *
 * Run it in source-launcher mode with the HermiT jar that ships inside owlready2 (it bundles
 * HermiT 1.3.8 and the OWL API 3.4):
 *
 *     java -cp .../owlready2/hermit/HermiT.jar tools/owlcheck/OwlCheck.java FILE
 *
 * FILE may be Turtle, RDF/XML or N-Triples; the OWL API picks the parser. Imports are never
 * fetched from the network: an import that is not a local file is reported under
 * "unresolved_imports" and otherwise ignored.
 *
 * Output (exit 0):
 *   {"file": ..., "axioms": N, "logical_axioms": N, "classes": N,
 *    "unresolved_imports": [IRI...],
 *    "profile": "OWL 2 DL", "profile_violations": [{"kind": ..., "message": ...}...],
 *    "reasoner": "HermiT 1.3.8", "consistent": true|false|null,
 *    "unsatisfiable": [IRI...], "reasoner_error": null|"..."}
 * A missing or unparsable file: one line on stderr, exit 2. Anything else unexpected: exit 3.
 *
 * policykg calls this program from policykg.reason.check_owl; keep the two in step.
 */

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLParser;
import org.semanticweb.owlapi.io.OWLParserException;
import org.semanticweb.owlapi.io.UnparsableOntologyException;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportEvent;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.MissingImportListener;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.xml.sax.SAXParseException;

public final class OwlCheck {

    private static final String REASONER = "HermiT 1.3.8";

    /** Maps every non-file import IRI to a file that does not exist, so nothing is downloaded. */
    private static final class OfflineIRIMapper implements OWLOntologyIRIMapper {
        private final IRI nowhere;

        OfflineIRIMapper(File missing) {
            this.nowhere = IRI.create(missing);
        }

        @Override
        public IRI getDocumentIRI(IRI ontologyIRI) {
            String scheme = ontologyIRI.getScheme();
            if (scheme != null && scheme.equalsIgnoreCase("file")) {
                return ontologyIRI;
            }
            return nowhere;
        }
    }

    public static void main(String[] args) {
        PrintStream realOut = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream realErr = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        if (args.length != 1) {
            realErr.println("usage: java -cp HermiT.jar OwlCheck.java FILE");
            System.exit(2);
        }
        silenceLogging();
        // The OWL API and HermiT print to System.out / System.err here and there; keep stdout
        // pure JSON by swallowing both while they work.
        ByteArrayOutputStream chatter = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(chatter, true);
        System.setOut(sink);
        System.setErr(sink);
        int code;
        try {
            String json = run(new File(args[0]));
            realOut.println(json);
            code = 0;
        } catch (BadInput e) {
            realErr.println(oneLine(e.getMessage()));
            code = 2;
        } catch (Throwable e) {
            realErr.println("owlcheck internal error: " + oneLine(String.valueOf(e)));
            code = 3;
        }
        realOut.flush();
        realErr.flush();
        System.exit(code);
    }

    private static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }

    private static void silenceLogging() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.OFF);
        System.setProperty("org.apache.commons.logging.Log",
                "org.apache.commons.logging.impl.NoOpLog");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
        System.setProperty("log4j.rootLogger", "OFF");
    }

    private static String run(File file) throws BadInput {
        if (!file.isFile()) {
            throw new BadInput(file.getPath() + ": no such file");
        }
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.clearIRIMappers();
        File missing = new File(System.getProperty("java.io.tmpdir"),
                "policykg-owlcheck-offline-" + System.nanoTime() + "/import-not-available.owl");
        manager.addIRIMapper(new OfflineIRIMapper(missing));
        final Set<String> unresolved = new TreeSet<String>();
        manager.addMissingImportListener(new MissingImportListener() {
            @Override
            public void importMissing(MissingImportEvent event) {
                unresolved.add(event.getImportedOntologyURI().toString());
            }
        });
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);

        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(
                    new FileDocumentSource(file), config);
        } catch (OWLOntologyCreationException e) {
            throw new BadInput(file.getPath() + ": cannot parse as an ontology (Turtle, RDF/XML, "
                    + "N-Triples, ...): " + parserMessage(file, e));
        } catch (RuntimeException e) {
            throw new BadInput(file.getPath() + ": cannot parse as an ontology: " + innermost(e));
        } catch (Error e) {
            // the JavaCC parsers signal some lexical errors with an Error (TokenMgrError)
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            throw new BadInput(file.getPath() + ": cannot parse as an ontology: " + innermost(e));
        }

        // The OWL 2 DL profile check (over the imports closure that could be loaded).
        OWL2DLProfile profile = new OWL2DLProfile();
        OWLProfileReport report = profile.checkOntology(ontology);
        List<String[]> violations = new ArrayList<String[]>();
        for (OWLProfileViolation v : report.getViolations()) {
            violations.add(new String[] {v.getClass().getSimpleName(), String.valueOf(v)});
        }
        Collections.sort(violations, (a, b) -> {
            int c = a[0].compareTo(b[0]);
            return c != 0 ? c : a[1].compareTo(b[1]);
        });

        // HermiT: consistency, then the unsatisfiable named classes.
        Boolean consistent = null;
        Set<String> unsatisfiable = new TreeSet<String>();
        String reasonerError = null;
        Reasoner reasoner = null;
        try {
            Configuration rc = new Configuration();
            rc.throwInconsistentOntologyException = false;
            reasoner = new Reasoner(rc, ontology);
            consistent = reasoner.isConsistent();
            if (consistent) {
                for (OWLClass c : reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
                    unsatisfiable.add(c.getIRI().toString());
                }
            }
        } catch (Throwable e) {
            consistent = null;
            unsatisfiable.clear();
            String msg = e.getMessage();
            reasonerError = e.getClass().getSimpleName() + (msg == null ? "" : ": " + oneLine(msg));
        } finally {
            if (reasoner != null) {
                try {
                    reasoner.dispose();
                } catch (Throwable ignored) {
                    // nothing to do
                }
            }
        }

        StringBuilder out = new StringBuilder(256);
        out.append('{');
        field(out, "file").append(str(file.getPath())).append(", ");
        field(out, "axioms").append(ontology.getAxiomCount()).append(", ");
        field(out, "logical_axioms").append(ontology.getLogicalAxiomCount()).append(", ");
        field(out, "classes").append(ontology.getClassesInSignature().size()).append(", ");
        field(out, "unresolved_imports").append(strList(unresolved)).append(", ");
        field(out, "profile").append(str("OWL 2 DL")).append(", ");
        field(out, "profile_violations").append('[');
        for (int i = 0; i < violations.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append('{');
            field(out, "kind").append(str(violations.get(i)[0])).append(", ");
            field(out, "message").append(str(violations.get(i)[1]));
            out.append('}');
        }
        out.append("], ");
        field(out, "reasoner").append(str(REASONER)).append(", ");
        field(out, "consistent").append(consistent == null ? "null" : consistent.toString())
                .append(", ");
        field(out, "unsatisfiable").append(strList(unsatisfiable)).append(", ");
        field(out, "reasoner_error").append(reasonerError == null ? "null" : str(reasonerError));
        out.append('}');
        return out.toString();
    }

    /**
     * The OWL API tries every parser it has and lists all their complaints; keep the one of the
     * parser that the file name points at (Turtle for .ttl/.nt/.n3, RDF/XML otherwise).
     */
    private static String parserMessage(File file, OWLOntologyCreationException e) {
        if (e instanceof UnparsableOntologyException) {
            String name = file.getName().toLowerCase(Locale.ROOT);
            boolean turtle = name.endsWith(".ttl") || name.endsWith(".nt") || name.endsWith(".n3");
            String wanted = turtle ? "Turtle" : "RDFXML";
            Map<OWLParser, OWLParserException> errors =
                    ((UnparsableOntologyException) e).getExceptions();
            for (Map.Entry<OWLParser, OWLParserException> entry : errors.entrySet()) {
                if (entry.getKey().getClass().getSimpleName().startsWith(wanted)) {
                    return parserName(entry.getKey()) + ": " + innermost(entry.getValue());
                }
            }
            for (Map.Entry<OWLParser, OWLParserException> entry : errors.entrySet()) {
                return parserName(entry.getKey()) + ": " + innermost(entry.getValue());
            }
        }
        return oneLine(String.valueOf(e.getMessage()));
    }

    private static String parserName(OWLParser parser) {
        return parser.getClass().getSimpleName().replace("OntologyParser", "").replace("Parser", "")
                + " parser";
    }

    private static String innermost(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (msg == null) {
            msg = t.getClass().getSimpleName();
        }
        msg = msg.replaceFirst("(?s)Was expecting.*", "");
        if (t instanceof SAXParseException) {
            SAXParseException x = (SAXParseException) t;
            msg = "line " + x.getLineNumber() + ", column " + x.getColumnNumber() + ": " + msg;
        }
        return oneLine(msg);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 2000 ? t.substring(0, 2000) + "..." : t;
    }

    private static StringBuilder field(StringBuilder out, String name) {
        return out.append(str(name)).append(": ");
    }

    private static String strList(Set<String> items) {
        StringBuilder b = new StringBuilder("[");
        boolean first = true;
        for (String s : items) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(str(s));
        }
        return b.append(']').toString();
    }

    /** A JSON string literal; everything outside printable ASCII is \\u-escaped. */
    private static String str(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
